using System.CommandLine;
using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki show SERIAL</c>: one certificate's record, status and PEM; for a serial with no certificate (signing or
/// outcome-unknown), what the to-be-signed certificate recorded before the signature would have certified.
/// </summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var serial = new Argument<string>("serial") { Description = "Serial number in hex" };
        var issuer = new Option<string?>("--issuer") { Description = "The issuing CA (default: search every CA)" };
        var command = new Command("show", "Show one certificate") { serial, issuer };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var serialHex = parseResult.GetValue(serial)!.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var issuers = (await runtime.Storage.Cas.ListAsync(cancellationToken)).Select(c => c.Name);
            var record = await CertificateLookup.FindAsync(runtime.Storage.Certificates, parseResult.GetValue(issuer), issuers, serialHex, cancellationToken);
            if (record is null)
            {
                return CommandRunner.Fail($"no certificate with serial {serialHex}");
            }
            Console.WriteLine($"serial:      {record.SerialHex}");
            Console.WriteLine($"issuer:      {record.Issuer}");
            Console.WriteLine($"profile:     {record.Profile}");
            Console.WriteLine($"subject:     {record.Subject}");
            // The same status words as list and the admin API: revoked / on-hold win over the record's state.
            Console.WriteLine($"state:       {CertificateLookup.StatusOf(record)}");
            Console.WriteLine($"validity:    {record.NotBefore:u} .. {record.NotAfter:u}");
            Console.WriteLine($"requester:   {record.Requester} over {record.Protocol} at {record.CreatedAt:u}");
            if ((record.SystemTitle ?? record.Dcu ?? record.ManufacturerLot) is not null)
            {
                Console.WriteLine($"device:      system title {record.SystemTitle ?? "-"}, DCU {record.Dcu ?? "-"}, lot {record.ManufacturerLot ?? "-"}");
            }
            Console.WriteLine(record.Revocation is { } revocation
                ? $"revocation:  {RevocationReasons.NameOf(revocation.Reason)} at {revocation.RevokedAt:u}{(revocation.InvalidityDate is { } invalid ? $", invalid since {invalid:u}" : "")}"
                : "revocation:  not revoked");
            if (record.Der is not null)
            {
                Console.WriteLine($"sha256:      {record.Sha256Hex}");
                Console.Write(PemFiles.Encode("CERTIFICATE", record.Der));
            }
            else if (record.TbsDer is not null)
            {
                WriteToBeSigned(record.TbsDer);
            }
            return 0;
        }));
        return command;
    }

    private static readonly Dictionary<string, string> ExtensionNames = new(StringComparer.Ordinal)
    {
        ["2.5.29.14"] = "subjectKeyIdentifier",
        ["2.5.29.15"] = "keyUsage",
        ["2.5.29.17"] = "subjectAltName",
        ["2.5.29.19"] = "basicConstraints",
        ["2.5.29.31"] = "cRLDistributionPoints",
        ["2.5.29.32"] = "certificatePolicies",
        ["2.5.29.35"] = "authorityKeyIdentifier",
        ["2.5.29.37"] = "extKeyUsage",
        ["1.3.6.1.5.5.7.1.1"] = "authorityInfoAccess",
    };

    private static readonly Dictionary<string, string> KeyAlgorithmNames = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.2.1"] = "EC",
        ["1.2.840.113549.1.1.1"] = "RSA",
        ["1.3.101.112"] = "Ed25519",
        ["1.2.840.10045.3.1.7"] = "P-256",
        ["1.3.132.0.34"] = "P-384",
        ["1.3.132.0.35"] = "P-521",
        ["1.3.36.3.3.2.8.1.1.7"] = "brainpoolP256r1",
        ["1.3.36.3.3.2.8.1.1.11"] = "brainpoolP384r1",
    };

    /// <summary>What the recorded to-be-signed certificate would have certified (no signature exists to show).</summary>
    private static void WriteToBeSigned(byte[] tbsDer)
    {
        Console.WriteLine("to be signed (recorded before the signature; no certificate was stored):");
        try
        {
            WriteFields(CertificateFields.ReadTbs(tbsDer), tbsDer);
        }
        catch (Exception e) when (e is AsnContentException or IssuanceRefusal)
        {
            Console.WriteLine($"  unreadable TBS ({tbsDer.Length} bytes): {e.Message}");
        }
    }

    private static void WriteFields(CertificateFields tbs, byte[] tbsDer)
    {
        Console.WriteLine($"  serial:    {tbs.SerialHex}");
        Console.WriteLine($"  subject:   {tbs.Subject}");
        var names = tbs.SubjectAltName is { } san ? SubjectAltName.ParseGeneralNames(san) : [];
        Console.WriteLine($"  SAN:       {(names.Count == 0 ? "none" : string.Join(", ", names.Select(n => $"{n.Kind}:{n.Value}")))}");
        Console.WriteLine($"  validity:  {tbs.NotBefore:u} .. {tbs.NotAfter:u}");
        Console.WriteLine($"  key:       {KeyAlgorithmOf(tbs.SubjectPublicKeyInfo)}, SPKI sha256 {Convert.ToHexString(SHA256.HashData(tbs.SubjectPublicKeyInfo))}");
        Console.WriteLine($"  extensions: {(tbs.ExtensionOids.Count == 0 ? "none" : string.Join(", ", tbs.ExtensionOids.Select(o => ExtensionNames.GetValueOrDefault(o, o))))}");
        Console.WriteLine($"  tbs sha256: {Convert.ToHexString(SHA256.HashData(tbsDer))}");
    }

    private static string KeyAlgorithmOf(byte[] spki)
    {
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } (RFC 5280 §4.1.2.7)
        var algorithm = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var name = KeyAlgorithmNames.GetValueOrDefault(oid, oid);
        if (algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            var curve = algorithm.ReadObjectIdentifier();
            name += " " + KeyAlgorithmNames.GetValueOrDefault(curve, curve);
        }
        return name;
    }
}
