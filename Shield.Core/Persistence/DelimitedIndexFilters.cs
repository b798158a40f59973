using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shield.Core.Persistence;

/// <summary>
/// Index filters are written once, for every provider, with column names in brackets (<c>[SessionId] IS NOT NULL</c>);
/// this convention delimits each name as the configured provider does (<c>"SessionId"</c> for PostgreSQL and SQLite),
/// leaving string literals alone.
/// </summary>
internal sealed class DelimitedIndexFilters(ISqlGenerationHelper sql) : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var index in modelBuilder.Metadata.GetEntityTypes().SelectMany(e => e.GetDeclaredIndexes()))
        {
            if (index.GetFilter() is { } filter)
            {
                index.SetFilter(Delimit(filter, sql));
            }
        }
    }

    /// <summary>The filter with each <c>[name]</c> outside a string literal delimited by <paramref name="sql"/>.</summary>
    public static string Delimit(string filter, ISqlGenerationHelper sql)
    {
        var text = new StringBuilder(filter.Length + 8);
        var inLiteral = false;
        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c == '\'')
            {
                inLiteral = !inLiteral; // a doubled quote inside a literal toggles twice
            }
            else if (c == '[' && !inLiteral && filter.IndexOf(']', i + 1) is var end and > 0)
            {
                text.Append(sql.DelimitIdentifier(filter[(i + 1)..end]));
                i = end;
                continue;
            }

            text.Append(c);
        }

        return text.ToString();
    }
}
