using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace Shield.Console.Api;

/// <summary>
/// The paging of a list endpoint: at most <c>limit</c> items (100 unless asked, never more than
/// <see cref="MaxSize"/>) that come after the cursor <c>after</c>. The body stays the JSON array the endpoint always
/// answered; when more items follow, a <c>Link: &lt;…&gt;; rel="next"</c> header (RFC 8288) is the URL of the next
/// page: the same query with <c>after</c> set.
/// </summary>
public sealed record PageQuery(int? Limit, string? After)
{
    public const int DefaultSize = 100;
    public const int MaxSize = 1_000;

    /// <summary>How many items the page holds at most: the limit asked for, brought within 1 and <see cref="MaxSize"/>.</summary>
    public int Size => Math.Clamp(Limit ?? DefaultSize, 1, MaxSize);
}

/// <summary>One page of a list, and the cursor of its last item when more follow.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next)
{
    /// <summary>The page out of items fetched one past its <paramref name="size"/>: whether that one came says if more follow.</summary>
    public static Page<T> Of(IReadOnlyList<T> fetched, int size, Func<T, string> cursor) =>
        fetched.Count > size ? new Page<T>([.. fetched.Take(size)], cursor(fetched[size - 1])) : new Page<T>(fetched, null);
}

internal static class Paging
{
    /// <summary>The page's items as the body; the link to the next page, when there is one, in the <c>Link</c> header.</summary>
    public static Ok<IReadOnlyList<T>> Ok<T>(HttpContext context, Page<T> page)
    {
        if (page.Next is { } next)
        {
            var request = context.Request;
            var query = QueryHelpers.ParseQuery(request.QueryString.Value);
            query["after"] = next;
            var url = QueryHelpers.AddQueryString($"{request.PathBase}{request.Path}", query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
            context.Response.Headers.Append("Link", $"<{url}>; rel=\"next\"");
        }

        return TypedResults.Ok(page.Items);
    }

    /// <summary>The problem to answer when <c>after</c> is not a cursor this endpoint gave.</summary>
    public static ValidationProblem BadCursor() => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["after"] = ["Pass the cursor from the previous page's Link: rel=\"next\" header, or leave after out for the first page."],
    });
}
