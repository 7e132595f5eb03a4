using AmiPki.Core.Approvals;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Cmp;
using AmiPki.Server.Admin;
using AmiPki.Server.Api.Contracts;
using AmiPki.Server.Api.Validation;
using AmiPki.Storage;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace AmiPki.Server.Api;

/// <summary>
/// The admin REST API under <c>/api/v1</c>, on the HTTPS listener, authenticated by admin client certificates
/// (<see cref="AdminAuthenticator"/>, roles in <see cref="AdminRole"/>), every call audited
/// (<see cref="AdminApiMiddleware"/>), input validated with FluentValidation, errors as RFC 9457 problem details, and its
/// OpenAPI document at <see cref="OpenApiPath"/>.
/// </summary>
public static class AdminApi
{
    public const string BasePath = "/api/v1";
    public const string OpenApiPath = BasePath + "/openapi.json";
    public const string DocumentName = "v1";
    private const string SecuritySchemeName = "adminClientCertificate";

    public static IServiceCollection AddAdminApi(this IServiceCollection services, AmiPkiRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        services.AddProblemDetails();
        // Binding failures (a non-number limit, malformed JSON) throw, so the middleware answers a problem naming the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton<IAuditStore>(runtime.Storage.Audit);
        services.AddSingleton(sp => new AdminAuthenticator(sp.GetRequiredService<CaHierarchy>(), sp.GetRequiredService<ICertificateReader>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AdminOperations>();
        services.AddSingleton(sp => new DeviceImporter(sp.GetRequiredService<IDeviceRegistry>(), sp.GetRequiredService<IAuditLog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ApprovalService(sp.GetRequiredService<IPendingRequestStore>(), sp.GetRequiredService<IAuditLog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new EnrollmentCredentialAdmin(sp.GetRequiredService<ICredentialStore>(), sp.GetRequiredService<IAuditLog>(),
            sp.GetRequiredService<ProfileSet>(), sp.GetRequiredService<TimeProvider>(),
            CmpSecretProtector.FromEnvironment(sp.GetService<CmpOptions>()?.SecretKeyPassphrase ?? runtime.Options.KeyPassphrase)));

        services.AddSingleton<IValidator<CertificateSearch>, CertificateSearchValidator>();
        services.AddSingleton<IValidator<RevokeRequest>, RevokeRequestValidator>();
        services.AddSingleton<IValidator<BulkRevokeRequest>, BulkRevokeRequestValidator>();
        services.AddSingleton<IValidator<DeviceSearch>, DeviceSearchValidator>();
        services.AddSingleton<IValidator<RequestSearch>, RequestSearchValidator>();
        services.AddSingleton<IValidator<DecisionRequest>, DecisionRequestValidator>();
        services.AddSingleton<IValidator<AuditSearch>, AuditSearchValidator>();
        services.AddSingleton<IValidator<NewEstAccount>, NewEstAccountValidator>();
        services.AddSingleton<IValidator<NewCmpReference>, NewCmpReferenceValidator>();
        services.AddSingleton<IValidator<NewScepChallenge>, NewScepChallengeValidator>();
        services.AddSingleton<IValidator<CampaignSearch>, CampaignSearchValidator>();

        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith(BasePath[1..] + "/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AmiPki admin API",
                    Version = DocumentName,
                    Description = "Certificates, devices, enrollment credentials, pending requests, CAs, CRLs, audit, long-running operations and the certificate profiles with who may enroll for each. "
                                  + "Authenticate with a TLS client certificate AmiPki issued under profile admin-auditor (read), admin-operator "
                                  + "(also revoke one, approve/reject, import devices, publish CRLs) or admin-administrator (also bulk revoke, "
                                  + "enrollment credentials). Errors are RFC 9457 problem details; every call is audited.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.MutualTLS,
                    Description = "A client certificate AmiPki issued under an admin-* profile; the profile is the role.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>Adds the middleware (call before mapping endpoints) and maps every admin endpoint and the OpenAPI document.</summary>
    public static WebApplication MapAdminApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<AdminApiMiddleware>();
        var api = app.MapGroup(BasePath);
        api.MapCertificates()
            .MapDevices()
            .MapCredentials()
            .MapRequests()
            .MapAuthorities()
            .MapAudit()
            .MapCampaigns()
            .MapOperations()
            .MapProfiles();
        app.MapOpenApi(OpenApiPath).WithMetadata(AdminPublicMetadata.Instance);
        return app;
    }
}
