namespace AmiPki.Core.Revocation;

/// <summary>
/// Which certificates a bulk revocation targets: every certificate of a device (DLMS system title), of a DCU, of a
/// manufacturer lot or of a profile, optionally limited to one issuer. Criteria combine with AND; at least one of
/// the four must be given, so an empty selection can never revoke everything.
/// </summary>
public sealed record RevocationSelection(string? SystemTitle = null, string? Dcu = null, string? ManufacturerLot = null, string? Profile = null,
    string? Issuer = null)
{
    public bool IsEmpty => SystemTitle is null && Dcu is null && ManufacturerLot is null && Profile is null;

    public override string ToString()
    {
        var parts = new List<string>();
        if (SystemTitle is not null)
        {
            parts.Add($"device={SystemTitle}");
        }
        if (Dcu is not null)
        {
            parts.Add($"dcu={Dcu}");
        }
        if (ManufacturerLot is not null)
        {
            parts.Add($"lot={ManufacturerLot}");
        }
        if (Profile is not null)
        {
            parts.Add($"profile={Profile}");
        }
        if (Issuer is not null)
        {
            parts.Add($"issuer={Issuer}");
        }
        return string.Join(' ', parts);
    }
}
