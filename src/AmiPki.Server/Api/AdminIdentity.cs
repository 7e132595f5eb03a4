using Microsoft.AspNetCore.Http;

namespace AmiPki.Server.Api;

/// <summary>An authenticated admin: the certificate that proved it and the role its profile carries.</summary>
/// <param name="Actor">How audit entries and revocation records name this admin: <c>admin-api:CN/issuer/serial</c>.</param>
public sealed record AdminIdentity(AdminRole Role, string CommonName, string Issuer, string SerialHex, string Actor)
{
    private const string ItemKey = "amipki.admin.identity";

    /// <summary>Binds a handler parameter to the identity <see cref="AdminApiMiddleware"/> authenticated (never null past it).</summary>
    public static ValueTask<AdminIdentity?> BindAsync(HttpContext context) => ValueTask.FromResult(Of(context));

    public static AdminIdentity? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var value) ? value as AdminIdentity : null;
    }

    internal void AttachTo(HttpContext context) => context.Items[ItemKey] = this;
}
