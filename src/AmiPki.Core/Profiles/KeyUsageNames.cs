using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Core.Profiles;

/// <summary>Profile names of key usages and extended key usages, and their X.509 values.</summary>
public static class KeyUsageNames
{
    public static IReadOnlyDictionary<string, X509KeyUsageFlags> KeyUsages { get; } = new Dictionary<string, X509KeyUsageFlags>(StringComparer.Ordinal)
    {
        ["digitalSignature"] = X509KeyUsageFlags.DigitalSignature,
        ["contentCommitment"] = X509KeyUsageFlags.NonRepudiation,
        ["keyEncipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["dataEncipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["keyAgreement"] = X509KeyUsageFlags.KeyAgreement,
    };

    public static IReadOnlyDictionary<string, string> ExtendedKeyUsages { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["serverAuth"] = "1.3.6.1.5.5.7.3.1",
        ["clientAuth"] = "1.3.6.1.5.5.7.3.2",
        ["codeSigning"] = "1.3.6.1.5.5.7.3.3",
        ["emailProtection"] = "1.3.6.1.5.5.7.3.4",
        ["timeStamping"] = "1.3.6.1.5.5.7.3.8",
        ["ocspSigning"] = "1.3.6.1.5.5.7.3.9",
    };

    public static IReadOnlyCollection<string> SubjectAltNameKinds { get; } = ["dns", "ip", "uri", "email", "hardwareModuleName"];

    public static X509KeyUsageFlags ToFlags(IEnumerable<string> names) =>
        names.Aggregate(X509KeyUsageFlags.None, (flags, name) => flags | KeyUsages[name]);

    public static string ToOid(string extendedKeyUsage) =>
        ExtendedKeyUsages.TryGetValue(extendedKeyUsage, out var oid) ? oid : extendedKeyUsage;

    public static bool IsDottedOid(string value) =>
        value.Length > 2 && value.Split('.').All(part => part.Length > 0 && part.All(char.IsAsciiDigit)) && value.Contains('.');
}
