#!/usr/bin/env python3
"""Check a Shield audit export against its manifest, with nothing but Python 3.

    python3 tools/verify-audit-export.py shield-audit.jsonl manifest.json

Checks that the file's SHA-256 and record count are the manifest's, that its first and last records are the
manifest's, and (JSON Lines) that every record's hash matches its content and each record links to the one before
it. Exits 0 when everything holds, 1 with every problem found otherwise. The manifest's signature is Shield's
HMAC: ask Shield whether it is genuine with POST /api/audit/export/manifest/verify.
"""
import csv
import hashlib
import io
import json
import sys


def canonical(record):
    # RFC 8785 for the values Shield writes (strings, integers, null): sorted keys, no whitespace, minimal escaping.
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def records_of(data, fmt):
    text = data.decode("utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        return [{"sequence": int(r["sequence"]), "prevHash": r["prevHash"], "hash": r["hash"]} for r in rows], False
    lines = [line for line in text.split("\n") if line]
    return [json.loads(line) for line in lines], True


def main(export_path, manifest_path):
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    with open(export_path, "rb") as f:
        data = f.read()

    problems = []
    if hashlib.sha256(data).hexdigest() != manifest["contentSha256"]:
        problems.append("the file's SHA-256 is not the manifest's contentSha256: the file was altered or cut short")

    try:
        records, full = records_of(data, manifest["format"])
    except (ValueError, KeyError) as error:
        print(f"FAILED: the file cannot be read as {manifest['format']}: {error}")
        return 1

    if len(records) != manifest["count"]:
        problems.append(f"the file holds {len(records)} records, the manifest says {manifest['count']}")

    previous = None
    for record in records:
        if full:
            claimed = record.pop("hash")
            actual = hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()
            if actual != claimed:
                problems.append(f"record {record['sequence']} was altered: its content does not match its hash")
            record["hash"] = claimed
        if previous is not None and record["sequence"] == previous["sequence"] + 1 and record["prevHash"] != previous["hash"]:
            problems.append(f"record {record['sequence']} does not link to record {previous['sequence']}")
        if previous is not None and record["sequence"] <= previous["sequence"]:
            problems.append(f"record {record['sequence']} is out of order")
        previous = record

    if records:
        first, last = records[0], records[-1]
        if first["sequence"] != manifest["firstSequence"] or first["prevHash"] != manifest["firstPrevHash"]:
            problems.append("the first record is not the one the manifest names")
        if last["sequence"] != manifest["lastSequence"] or last["hash"] != manifest["lastHash"]:
            problems.append("the last record is not the one the manifest names")

    if problems:
        for problem in problems:
            print(f"FAILED: {problem}")
        return 1

    span = f"records {records[0]['sequence']} to {records[-1]['sequence']}" if records else "no records"
    print(f"OK: {len(records)} records ({span}) match the manifest" + (", every hash and link holds" if full else ""))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
