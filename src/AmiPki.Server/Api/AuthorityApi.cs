using AmiPki.Core.Authorities;
using AmiPki.Protocols.Crl;
using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/cas</c> (every CA, the offline root included) and <c>/api/v1/crls</c>: each online CA's current complete
/// and delta CRL as <see cref="CrlPublisher"/> serves them at <c>/crl/</c>, and publishing a new complete CRL now
/// (which also becomes the new delta base, RFC 5280 §5.2.4).
/// </summary>
public static class AuthorityApi
{
    public static RouteGroupBuilder MapAuthorities(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var cas = api.MapGroup("/cas").WithTags("CAs");
        cas.MapGet("/", async (ICaStore store, CaHierarchy online, CancellationToken ct) =>
                TypedResults.Ok((await store.ListAsync(ct)).Select(r => CaView.From(r, online.Find(r.Name) is not null, withPem: false)).ToList()))
            .Requires(AdminPermission.Read).WithName("listCas");
        cas.MapGet("/{name}", async (string name, ICaStore store, CaHierarchy online, CancellationToken ct) =>
                TypedResults.Ok(CaView.From((await store.ListAsync(ct)).FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"no CA named '{name}'"),
                    online.Find(name) is not null, withPem: true)))
            .Requires(AdminPermission.Read).WithName("showCa").ProducesProblem(StatusCodes.Status404NotFound);

        var crls = api.MapGroup("/crls").WithTags("CRLs");
        crls.MapGet("/", async (CrlPublisher publisher, CancellationToken ct) =>
            {
                var sets = new List<CrlSetView>();
                foreach (var issuer in publisher.Issuers.Order(StringComparer.Ordinal))
                {
                    sets.Add(await CurrentAsync(publisher, issuer, withPem: false, ct));
                }
                return TypedResults.Ok(sets);
            })
            .Requires(AdminPermission.Read).WithName("listCrls");
        crls.MapGet("/{issuer}", (string issuer, CrlPublisher publisher, CancellationToken ct) => CurrentOkAsync(publisher, issuer, ct))
            .Requires(AdminPermission.Read).WithName("showCrl").ProducesProblem(StatusCodes.Status404NotFound);
        crls.MapPost("/{issuer}/publish", async (string issuer, CrlPublisher publisher, CancellationToken ct) =>
            {
                RequireIssuer(publisher, issuer);
                var (full, delta) = await publisher.RebuildAsync(issuer, newBase: true, ct);
                return TypedResults.Ok(new CrlSetView(issuer, CrlView.From(full, withPem: true), CrlView.From(delta, withPem: false)));
            })
            .Requires(AdminPermission.Operate).WithName("publishCrl").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Ok<CrlSetView>> CurrentOkAsync(CrlPublisher publisher, string issuer, CancellationToken cancellationToken) =>
        TypedResults.Ok(await CurrentAsync(publisher, issuer, withPem: true, cancellationToken));

    private static async Task<CrlSetView> CurrentAsync(CrlPublisher publisher, string issuer, bool withPem, CancellationToken cancellationToken)
    {
        RequireIssuer(publisher, issuer);
        var full = await publisher.GetAsync(issuer, delta: false, cancellationToken);
        var delta = await publisher.GetAsync(issuer, delta: true, cancellationToken);
        return new CrlSetView(issuer, CrlView.From(full!, withPem), CrlView.From(delta!, withPem: false));
    }

    private static void RequireIssuer(CrlPublisher publisher, string issuer)
    {
        if (!publisher.Issuers.Contains(issuer))
        {
            throw new KeyNotFoundException($"no online CA named '{issuer}' (CRLs are published for: {string.Join(", ", publisher.Issuers.Order(StringComparer.Ordinal))})");
        }
    }
}
