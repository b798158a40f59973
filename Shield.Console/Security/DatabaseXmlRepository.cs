using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Shield.Core.Persistence;

namespace Shield.Console.Security;

/// <summary>
/// Keeps Data Protection keys in Shield's database, so sign-ins and tokens survive a restart and every instance
/// shares them. Keys are stored as Data Protection writes them; protect the database accordingly.
/// </summary>
internal sealed class DatabaseXmlRepository(IDbContextFactory<ShieldDbContext> contexts) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return [.. db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).AsEnumerable().Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = contexts.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
