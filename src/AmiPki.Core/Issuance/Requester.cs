namespace AmiPki.Core.Issuance;

/// <summary>An authenticated requester and the profiles it may use (null: any the protocol allows).</summary>
public sealed record Requester(string Identity, RequesterKind Kind, IReadOnlyCollection<string>? AllowedProfiles = null)
{
    public static Requester Administrator(string identity) => new(identity, RequesterKind.Administrator);

    public bool MayUse(string profile) => AllowedProfiles is null || AllowedProfiles.Contains(profile, StringComparer.Ordinal);
}
