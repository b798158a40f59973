#!/usr/bin/env python3
"""Check a Shield audit export against its manifest and anchors, with nothing but Python 3.

    python3 tools/verify-audit-export.py EXPORT MANIFEST [--anchors FILE]... [--key-file FILE]

Checks that the file's SHA-256 and record count are the manifest's and that its first and last records are the
manifest's. For JSON Lines it recomputes every record's hash and checks that each record links to the one before.
An export whose manifest says it is complete (no filter) must hold every record from the first (1, or the first
after a pruning an audit.pruned record in it vouches for) to the manifest's `through`: any gap fails it.

--anchors FILE (Shield's anchor file, kept outside its database) compares every anchored record with the export:
an anchored record that differs was rewritten; one missing from a complete export was cut off or deleted.

--key-file FILE (Shield:Audit:KeyFile, for those entrusted with it) also checks each record's seal, the anchors'
signatures and the manifest's signature. Without it, ask Shield: POST /api/audit/export/manifest/verify.

Exits 0 when everything holds, 1 with one line per problem otherwise, 2 on bad usage.
"""
import argparse
import base64
import datetime
import binascii
import csv
import hashlib
import hmac
import io
import json
import sys

GENESIS = "0" * 64


def canonical(value):
    # RFC 8785 for the values Shield writes (strings, integers, booleans, null): sorted keys, no whitespace.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_key(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        decoded = base64.b64decode(raw.strip(), validate=True)
        if len(decoded) >= 32:
            return decoded
    except (binascii.Error, ValueError):
        pass
    return raw


def key_id(key):
    return hashlib.sha256(b"shield-audit-key-id:" + key).hexdigest()[:16]


def mac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def records_of(data, fmt):
    text = data.decode("utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        return [{"sequence": int(r["sequence"]), "prevHash": r["prevHash"], "hash": r["hash"],
                 "eventType": r["eventType"], "after": r["after"] or None, "seal": r.get("seal") or None} for r in rows], False
    return [json.loads(line) for line in text.split("\n") if line], True


def read_anchors(paths):
    """The anchor lines still in force: a reset voids earlier lines naming records after it."""
    lines, problems = [], []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        complete = data[: data.rfind(b"\n") + 1]  # a last line without its newline is a write cut short
        for number, raw in enumerate(complete.decode("utf-8").split("\n")[:-1], start=1):
            try:
                anchor = json.loads(raw)
                if anchor.get("kind") not in ("checkpoint", "reset"):
                    raise ValueError("unknown kind")
                anchor["line"], anchor["file"] = number, path
                lines.append(anchor)
            except (ValueError, TypeError, AttributeError):
                problems.append(f"line {number} of the anchor file {path} cannot be read (a write cut short, or the file was altered)")
    resets = [a for a in lines if a["kind"] == "reset"]
    in_force = [a for a in lines if a["kind"] == "checkpoint"
                and not any(r["file"] == a["file"] and r["line"] > a["line"]
                            and (a["sequence"] > r["sequence"] or (a["sequence"] == r["sequence"] and a["hash"] != r["hash"])) for r in resets)]
    return in_force + resets, problems


def utc(text):
    """A time as Shield writes it (ISO 8601, UTC, up to 7 decimals), to the microsecond."""
    if not text:
        return None
    main, _, fraction = text.rstrip("Z").partition(".")
    return datetime.datetime.fromisoformat(main).replace(microsecond=int((fraction + "000000")[:6]))


def after_of(record):
    try:
        return json.loads(record.get("after") or "null") or {}
    except ValueError:
        return {}


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("export")
    parser.add_argument("manifest")
    parser.add_argument("--anchors", action="append", default=[])
    parser.add_argument("--key-file")
    try:
        args = parser.parse_args()
    except SystemExit:
        print(__doc__)
        return 2

    with open(args.manifest, encoding="utf-8") as f:
        manifest = json.load(f)
    with open(args.export, "rb") as f:
        data = f.read()
    key = read_key(args.key_file) if args.key_file else None

    problems, notes = [], []
    if hashlib.sha256(data).hexdigest() != manifest["contentSha256"]:
        problems.append("the file's SHA-256 is not the manifest's contentSha256: the file was altered or cut short")

    try:
        records, full = records_of(data, manifest["format"])
    except (ValueError, KeyError) as error:
        print(f"FAILED: the file cannot be read as {manifest['format']}: {error}")
        return 1

    if len(records) != manifest["count"]:
        problems.append(f"the file holds {len(records)} records, the manifest says {manifest['count']}")

    if key is not None:
        if manifest.get("keyId") != key_id(key):
            notes.append(f"the manifest was signed with key {manifest.get('keyId')}, not the key given: its signature is not checked")
        else:
            unsigned = {k: v for k, v in manifest.items() if k != "signature"}
            if not hmac.compare_digest(mac(key, canonical(unsigned)), manifest.get("signature") or ""):
                problems.append("the manifest's signature is not Shield's: the manifest was altered or forged")

    def sealed_by_key(record):
        return key is not None and hmac.compare_digest(mac(key, "shield-audit-seal:" + record["hash"]), record.get("seal") or "")

    # Breaks Shield found and an administrator acknowledged. Only an acknowledgement sealed with the key given counts:
    # without the key nobody can tell a genuine one from one written into the database, so the records stay checked.
    acknowledged = []  # (from, through, record)
    for record in records:
        if record.get("eventType") != "audit.tamper-detected":
            continue
        finding = after_of(record)
        span = (f"records {finding['from']} to {finding.get('through')} were found altered"
                if finding.get("from") is not None else
                f"records {finding.get('missingFrom')} to {finding.get('missingThrough')} were found cut off")
        if key is None or not sealed_by_key(record):
            notes.append(f"{span} and acknowledged in record {record['sequence']}, which cannot be authenticated "
                         f"{'without the key' if key is None else 'with the key given'}: those records are checked like any other")
            continue
        notes.append(f"{span} and acknowledged in record {record['sequence']} by {record.get('actorName')}: {finding.get('problem')}")
        if isinstance(finding.get("from"), int) and isinstance(finding.get("through"), int):
            acknowledged.append((finding["from"], min(finding["through"], record["sequence"] - 1), record["sequence"]))

    def is_acknowledged(sequence):
        return any(low <= sequence <= high for low, high, _ in acknowledged)

    by_sequence = {r["sequence"]: r for r in records}
    seals_checked = 0

    # A trail that starts after 1 was pruned: a pruning record in it says where, and which key seals what it kept.
    seal_key_id, previous = None, None
    if records and records[0]["sequence"] > 1:
        vouch = next((r for r in records if r.get("eventType") == "audit.pruned"
                      and after_of(r).get("through") == records[0]["sequence"] - 1 and after_of(r).get("hash") == records[0]["prevHash"]), None)
        if vouch is not None:
            seal_key_id = after_of(vouch).get("sealKeyId")
            if key is not None and not sealed_by_key(vouch):
                problems.append(f"record {vouch['sequence']}, the pruning record that vouches for the export's start, is not sealed with the key given: it was forged")

    for record in records:
        sequence = record["sequence"]
        skip = is_acknowledged(sequence)
        if full and not skip:
            claimed, seal = record.pop("hash"), record.pop("seal", None)
            actual = hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()
            record["hash"], record["seal"] = claimed, seal
            if actual != claimed:
                problems.append(f"record {sequence} was altered: its content does not match its hash")
        if previous is not None and sequence <= previous["sequence"]:
            problems.append(f"record {sequence} is out of order, after record {previous['sequence']}")
        elif previous is not None and sequence == previous["sequence"] + 1 and record["prevHash"] != previous["hash"] \
                and not skip and not is_acknowledged(previous["sequence"]):
            problems.append(f"record {sequence} does not link to record {previous['sequence']}: records were inserted, reordered or altered")
        # Seals: from the record after a sealing record on, every record carries the HMAC of its hash.
        if key is not None and seal_key_id == key_id(key) and not skip:
            seals_checked += 1
            if not sealed_by_key(record):
                problems.append(f"record {sequence} carries no seal made by the key given: it was forged or rewritten")
        if record.get("eventType") == "audit.sealing":
            seal_key_id = after_of(record).get("keyId")
            if key is not None and seal_key_id != key_id(key):
                notes.append(f"records after {sequence} are sealed with key {seal_key_id}, not the key given: their seals are not checked")
        previous = record

    if records:
        first, last = records[0], records[-1]
        if first["sequence"] != manifest["firstSequence"] or first["prevHash"] != manifest["firstPrevHash"]:
            problems.append("the first record is not the one the manifest names")
        if last["sequence"] != manifest["lastSequence"] or last["hash"] != manifest["lastHash"]:
            problems.append("the last record is not the one the manifest names")

    head = manifest.get("trailHead")
    if isinstance(head, int) and head > manifest["through"]:
        notes.append(f"the export holds records up to {manifest['through']}; the trail held records up to {head} when the manifest was made")

    complete = manifest.get("complete", not manifest.get("filter"))
    if complete:
        expected = 1
        if records and records[0]["sequence"] > 1:
            start = records[0]
            if not any(r.get("eventType") == "audit.pruned" and after_of(r).get("through") == start["sequence"] - 1
                       and after_of(r).get("hash") == start["prevHash"] for r in records):
                problems.append(f"the export starts at record {start['sequence']}, but no audit.pruned record in it says records 1 to "
                                f"{start['sequence'] - 1} were pruned: they were deleted")
            elif key is None:
                notes.append(f"the export starts at record {start['sequence']}, after a pruning its audit.pruned record vouches for, "
                             "which cannot be authenticated without the key")
            expected = start["sequence"]
        elif records and records[0]["prevHash"] != GENESIS:
            problems.append("record 1 does not start the chain (its prevHash is not 64 zeros)")
        for record in records:
            if record["sequence"] > expected:
                missing = f"record {expected} is" if record["sequence"] == expected + 1 else f"records {expected} to {record['sequence'] - 1} are"
                problems.append(f"the export claims to be complete, but {missing} missing: deleted from the trail or the file")
            expected = max(expected, record["sequence"] + 1)
        if expected - 1 < manifest["through"]:
            problems.append(f"the export claims to hold every record to {manifest['through']}, but ends at record {expected - 1}: the tail is missing")

    if args.anchors:
        anchors, unreadable = read_anchors(args.anchors)
        notes.extend(f"{line}; it was skipped" for line in unreadable)
        for anchor in anchors:
            where = f"line {anchor['line']} of the anchor file {anchor['file']}"
            if key is not None:
                if anchor.get("keyId") != key_id(key):
                    notes.append(f"{where} is signed with key {anchor.get('keyId')}, not the key given: its signature is not checked")
                else:
                    text = f"shield-audit-anchor:{anchor['kind']}:{anchor['sequence']}:{anchor['hash']}:{anchor['atUtc']}"
                    if not hmac.compare_digest(mac(key, text), anchor.get("signature") or ""):
                        problems.append(f"{where} is not signed with the key given: the anchor file was altered")
                        continue
            sequence = anchor["sequence"]
            if sequence > manifest["through"]:
                # Anchored before Shield read the trail's head for the manifest, yet past that head: the tail was cut.
                head_at = utc(manifest.get("trailHeadAtUtc"))
                if isinstance(head, int) and sequence > head and head_at is not None and utc(anchor["atUtc"]) < head_at:
                    problems.append(f"{where} shows record {sequence} was written, but the trail ended at record {head} when the manifest "
                                    "was made: the trail was cut off or the record deleted")
                continue
            if is_acknowledged(sequence) or (records and sequence < records[0]["sequence"] and complete):
                continue  # acknowledged, or pruned before the export's start (the pruning record vouches for it)
            record = by_sequence.get(sequence)
            if record is None:
                if complete:
                    problems.append(f"{where} shows record {sequence} was written, but the export does not hold it: the trail was cut off or the record deleted")
            elif record["hash"] != anchor["hash"]:
                problems.append(f"record {sequence} differs from {where}, written when it was committed: the trail was rewritten")

    for note in notes:
        print(f"NOTE: {note}")
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}")
        return 1

    span = f"records {records[0]['sequence']} to {records[-1]['sequence']}" if records else "no records"
    checked = ["every hash and link holds"] if full else []
    if complete:
        checked.append("none is missing")
    if args.anchors:
        checked.append("the anchors agree")
    if key is not None:
        checked.append(f"{seals_checked} seals and the signatures are Shield's" if seals_checked else "the signatures are Shield's (no record here is sealed with the key given)")
    print(f"OK: {len(records)} records ({span}) match the manifest" + (", " + ", ".join(checked) if checked else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
