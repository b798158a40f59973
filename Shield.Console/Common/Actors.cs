using System.Security.Claims;
using Shield.Core.Governance;

namespace Shield.Console.Common;

/// <summary>The person behind a request or a console circuit, as recorded with the changes they make.</summary>
public static class Actors
{
    public static Actor Of(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("oid") ?? user.FindFirstValue("sub") ?? "";
        var name = user.Identity?.Name ?? user.FindFirstValue("preferred_username") ?? id;
        return new Actor(Actor.Person, id, name);
    }
}
