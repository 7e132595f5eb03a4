namespace AmiPki.Server.Api;

/// <summary>Endpoint metadata: served without a client certificate (only the OpenAPI document), though still audited.</summary>
public sealed class AdminPublicMetadata
{
    public static AdminPublicMetadata Instance { get; } = new();

    private AdminPublicMetadata()
    {
    }
}
