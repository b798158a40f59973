using Shield.Console.Authentication;

namespace Shield.Console.Auditing;

/// <summary><c>/api/audit</c>: verification (and, next, search and export) of the audit trail, for auditors and admins.</summary>
internal static class AuditApi
{
    public static void MapAuditApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit").RequireAuthorization(ShieldPolicies.AuditRead);
        audit.MapGet("/verify", async (AuditVerifier verifier, CancellationToken cancellationToken) =>
                TypedResults.Ok(await verifier.VerifyAsync(cancellationToken)))
            .WithSummary("Recompute the audit chain and its signed checkpoints; report whether it is intact or its first broken link.");
    }
}
