using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Shield.Core.Persistence;

/// <summary>
/// Shield stores every time as UTC. A time without a kind is taken as UTC on the way in (PostgreSQL refuses to store
/// one as a time with a zone), and times are marked UTC on the way out (SQLite hands them back without a kind), so
/// APIs and exports never write times a reader could take for local ones.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
