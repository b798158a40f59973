using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Shield.Core.Persistence;

/// <summary>
/// Shield stores every time as UTC; SQLite hands them back without a kind. Marking them UTC on the way out keeps APIs
/// and exports from writing times a reader could take for local ones.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value,
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
