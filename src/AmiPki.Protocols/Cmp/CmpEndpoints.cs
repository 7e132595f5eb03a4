using AmiPki.Core.Approvals;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;
using AmiPki.Protocols.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// CMP over HTTP (RFC 6712, RFC 9811): <c>POST /.well-known/cmp</c> and <c>/.well-known/cmp/p/&lt;label&gt;</c>, DER
/// <c>application/pkixcmp</c> both ways, HTTP 200 for every CMP answer including error messages. Needs from DI:
/// TimeProvider, IssuanceService, CaHierarchy, ICertificateReader, IRevocationStore, ICredentialStore, IAuditLog,
/// IProtocolTransactionStore (transactions live in storage, so any node answers any step);
/// uses RevocationService and IPendingRequestStore (manual approval, pollReq/pollRep) when registered.
/// </summary>
public static class CmpEndpoints
{
    public const string BasePath = "/.well-known/cmp";
    public const string MediaType = "application/pkixcmp";

    public static IServiceCollection AddCmp(this IServiceCollection services, Action<CmpOptions>? configure = null)
    {
        services.TryAddSingleton(provider =>
        {
            var options = new CmpOptions();
            provider.GetService<IConfiguration>()?.GetSection(CmpOptions.Section).Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.TryAddSingleton(provider => new CmpTransactionStore(provider.GetRequiredService<IProtocolTransactionStore>()));
        services.TryAddSingleton(provider => new CmpAudit(provider.GetRequiredService<IAuditLog>(), TimeOf(provider),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("AmiPki.Protocols.Cmp")));
        services.TryAddSingleton(provider => new CmpRevoker(provider.GetService<RevocationService>(), provider.GetRequiredService<IRevocationStore>(),
            TimeOf(provider)));
        services.TryAddSingleton(provider => new CmpResponderProvider(provider.GetRequiredService<IssuanceService>(), provider.GetRequiredService<CaHierarchy>(),
            provider.GetRequiredService<CmpOptions>(), TimeOf(provider), provider.GetRequiredService<ILoggerFactory>().CreateLogger("AmiPki.Protocols.Cmp"),
            provider.GetService<IOperationalIdentityStore>(), provider.GetService<OperationalKeyProtector>()));
        services.TryAddSingleton(provider =>
        {
            var secrets = CmpSecretProtector.FromEnvironment(provider.GetRequiredService<CmpOptions>().SecretKeyPassphrase);
            if (secrets is null)
            {
                CmpLog.NoSecretKey(provider.GetRequiredService<ILoggerFactory>().CreateLogger("AmiPki.Protocols.Cmp"));
            }
            return new CmpAuthenticator(provider.GetRequiredService<ICredentialStore>(), provider.GetRequiredService<CurrentCertificateVerifier>(), secrets);
        });
        services.AddCurrentCertificateVerifier();
        services.TryAddSingleton(provider => new CmpService(
            provider.GetRequiredService<CmpOptions>(),
            provider.GetRequiredService<IssuanceService>(),
            provider.GetRequiredService<CaHierarchy>(),
            provider.GetRequiredService<ICertificateReader>(),
            provider.GetRequiredService<CmpRevoker>(),
            provider.GetRequiredService<CmpAuthenticator>(),
            provider.GetRequiredService<CmpResponderProvider>(),
            provider.GetRequiredService<CmpTransactionStore>(),
            provider.GetRequiredService<CmpAudit>(),
            TimeOf(provider),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("AmiPki.Protocols.Cmp"),
            provider.GetService<IPendingRequestStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CmpConfirmationSweeper>(provider => new CmpConfirmationSweeper(
            provider.GetRequiredService<CmpTransactionStore>(),
            provider.GetRequiredService<CmpRevoker>(),
            provider.GetRequiredService<CmpAudit>(),
            provider.GetRequiredService<CmpOptions>(),
            TimeOf(provider),
            provider.GetRequiredService<ILogger<CmpConfirmationSweeper>>())));
        return services;
    }

    public static IEndpointRouteBuilder MapCmp(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(BasePath, context => HandleAsync(context, null));
        endpoints.MapPost($"{BasePath}/p/{{label}}", context => HandleAsync(context, context.Request.RouteValues["label"] as string));
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string? label)
    {
        var service = context.RequestServices.GetRequiredService<CmpService>();
        var options = context.RequestServices.GetRequiredService<CmpOptions>();
        string? profile = null;
        if (label is not null && (profile = service.ProfileForLabel(label)) is null)
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, $"no CMP profile labelled '{label}'");
            return;
        }
        // RFC 6712 §3.4: the body is a DER PKIMessage labelled application/pkixcmp.
        var contentType = context.Request.ContentType.AsSpan();
        if (contentType.IndexOf(';') is var parameters and >= 0)
        {
            contentType = contentType[..parameters];
        }
        if (!contentType.Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase))
        {
            await PlainAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type must be {MediaType}");
            return;
        }
        var body = await ReadBoundedAsync(context, options.MaxRequestBytes);
        if (body is null)
        {
            await PlainAsync(context, StatusCodes.Status413PayloadTooLarge, $"a CMP request is at most {options.MaxRequestBytes} bytes");
            return;
        }
        byte[] answer;
        try
        {
            answer = await service.HandleAsync(body, profile, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MediaType;
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger (checked before and while reading).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1L;
        }
        try
        {
            if (context.Request.ContentLength is { } length)
            {
                // The usual case (RFC 6712 §3.3 clients send Content-Length): one exact buffer, no copies.
                var exact = new byte[length];
                var filled = 0;
                int got;
                while (filled < exact.Length && (got = await context.Request.Body.ReadAsync(exact.AsMemory(filled), context.RequestAborted)) > 0)
                {
                    filled += got;
                }
                return filled == exact.Length ? exact : exact[..filled];
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
        return buffer.ToArray();
    }

    private static async Task PlainAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private static TimeProvider TimeOf(IServiceProvider provider) => provider.GetService<TimeProvider>() ?? TimeProvider.System;
}
