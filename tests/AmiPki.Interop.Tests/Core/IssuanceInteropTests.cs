using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// `amipki issue` for every shipped profile, each result checked by openssl, not by our own parser:
/// `openssl verify -x509_strict` against the root, and fields read from `openssl x509 -text`.
/// </summary>
public sealed class IssuanceInteropTests
{
    private DataDirectory _data = null!;

    [OneTimeSetUp]
    public async Task Init() => _data = await DataDirectory.InitAsync();

    [OneTimeTearDown]
    public void Cleanup() => _data.Dispose();

    public sealed record ProfileCase(string Profile, string KeySpec, string Subject, string? Extension, string? Issuer,
        string[] KeyUsage, string? ExtendedKeyUsage, string SignatureAlgorithm)
    {
        public override string ToString() => Profile + (Issuer is null ? "" : "@" + Issuer);
    }

    private const string SystemTitle = "4D4D4D0000BC614E";

    private static IEnumerable<ProfileCase> Profiles() =>
    [
        new("meter-s1-signing", "ec:P-256", $"/CN={SystemTitle}", null, null, ["Digital Signature"], null, "ecdsa-with-SHA256"),
        new("meter-s1-key-agreement", "ec:P-256", $"/CN={SystemTitle}", null, null, ["Key Agreement"], null, "ecdsa-with-SHA256"),
        new("meter-s1-tls", "ec:P-256", $"/CN={SystemTitle}", null, null, ["Digital Signature", "Key Agreement"],
            "TLS Web Client Authentication, TLS Web Server Authentication", "ecdsa-with-SHA256"),
        new("meter-s2-signing", "ec:P-384", $"/CN={SystemTitle}", null, null, ["Digital Signature"], null, "ecdsa-with-SHA384"),
        new("dcu", "ec:P-256", "/CN=DCU-000042", "subjectAltName=DNS:dcu-000042.mesh.example", null, ["Digital Signature"],
            "TLS Web Client Authentication", "ecdsa-with-SHA256"),
        new("dcu", "ec:P-384", "/CN=DCU-000043", null, "issuing-s2", ["Digital Signature"], "TLS Web Client Authentication", "ecdsa-with-SHA384"),
        new("hes-client", "ec:P-256", "/CN=hes-client-1/O=Utility", null, null, ["Digital Signature"], "TLS Web Client Authentication", "ecdsa-with-SHA256"),
        new("hes-server", "ec:P-256", "/CN=hes.utility.example", "subjectAltName=DNS:hes.utility.example", null, ["Digital Signature"],
            "TLS Web Server Authentication", "ecdsa-with-SHA256"),
        new("ocsp-responder", "ec:P-256", "/CN=AmiPki OCSP Responder issuing-s1", null, "issuing-s1", ["Digital Signature"], "OCSP Signing", "ecdsa-with-SHA256"),
        new("amipki-tls-server", "ec:P-256", "/CN=amipki.local", "subjectAltName=DNS:localhost,IP:127.0.0.1", null, ["Digital Signature"],
            "TLS Web Server Authentication", "ecdsa-with-SHA256"),
        new("scep-ra", "rsa:2048", "/CN=AmiPki SCEP RA", null, null, ["Digital Signature", "Key Encipherment"], null, "ecdsa-with-SHA256"),
    ];

    [TestCaseSource(nameof(Profiles))]
    public async Task Issued_certificate_verifies_strictly_with_openssl(ProfileCase profile)
    {
        var name = profile.ToString().Replace('@', '-');
        var csr = _data.File($"{name}.csr");
        var key = _data.File($"{name}.key");
        var cert = _data.File($"{name}.pem");
        string[] newKey = profile.KeySpec.StartsWith("ec:", StringComparison.Ordinal)
            ? ["-newkey", "ec", "-pkeyopt", $"ec_paramgen_curve:{profile.KeySpec[3..]}"]
            : ["-newkey", profile.KeySpec];
        string[] extension = profile.Extension is null ? [] : ["-addext", profile.Extension];
        var request = await _data.OpenSslAsync(["req", "-new", .. newKey, "-nodes", "-keyout", key, "-subj", profile.Subject, .. extension, "-out", csr]);
        Assert.That(request.ExitCode, Is.EqualTo(0), request.Describe());

        string[] issuer = profile.Issuer is null ? [] : ["--issuer", profile.Issuer];
        var issue = await _data.CliAsync(["issue", "--profile", profile.Profile, "--csr", csr, "--out", cert, .. issuer]);
        Assert.That(issue.ExitCode, Is.EqualTo(0), issue.Describe());

        var verify = await _data.OpenSslAsync("verify", "-x509_strict", "-CAfile", _data.RootPem, "-untrusted", _data.ChainPem, cert);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
        Assert.That(verify.StandardOutput, Does.Contain(": OK"));

        var text = (await _data.OpenSslAsync("x509", "-in", cert, "-noout", "-text")).StandardOutput;
        Assert.That(text, Does.Contain("Version: 3 (0x2)"));
        Assert.That(text, Does.Contain($"Signature Algorithm: {profile.SignatureAlgorithm}"));
        var expectedSubject = string.Join(", ", profile.Subject.Trim('/').Split('/').Select(part => part.Replace("=", " = ", StringComparison.Ordinal)));
        Assert.That(text, Does.Contain($"Subject: {expectedSubject}"));
        Assert.That(LineAfter(text, "X509v3 Key Usage: critical"), Is.EqualTo(string.Join(", ", profile.KeyUsage)));
        Assert.That(LineAfter(text, "X509v3 Basic Constraints: critical"), Is.EqualTo("CA:FALSE"));
        Assert.That(text, Does.Contain("X509v3 Subject Key Identifier"));
        Assert.That(text, Does.Contain("X509v3 Authority Key Identifier"));
        Assert.That(text, Does.Contain("URI:http://127.0.0.1:8080/crl/"), "CRL distribution point");
        Assert.That(text, Does.Contain("CA Issuers - URI:http://127.0.0.1:8080/ca/"), "AIA caIssuers");
        if (profile.ExtendedKeyUsage is null)
        {
            Assert.That(text, Does.Not.Contain("Extended Key Usage"));
        }
        else
        {
            Assert.That(LineAfter(text, "X509v3 Extended Key Usage:"), Is.EqualTo(profile.ExtendedKeyUsage));
        }
        if (profile.Profile == "ocsp-responder")
        {
            Assert.That(text, Does.Contain("OCSP No Check"));
            Assert.That(text, Does.Not.Contain("OCSP - URI"), "a responder is not checked through OCSP (RFC 6960 §4.2.2.2.1)");
        }
        else
        {
            Assert.That(text, Does.Contain("OCSP - URI:http://127.0.0.1:8080/ocsp"));
        }
        if (profile.Extension is not null)
        {
            Assert.That(text, Does.Contain(profile.Extension.Replace("subjectAltName=", "", StringComparison.Ordinal).Replace("IP:", "IP Address:", StringComparison.Ordinal).Replace(",", ", ", StringComparison.Ordinal)));
        }
        var show = await _data.CliAsync("show", SerialOf(issue.StandardOutput));
        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain($"profile:     {profile.Profile}"));
        Assert.That(show.StandardOutput, Does.Contain("state:       issued"));
    }

    private static string SerialOf(string issueOutput) => issueOutput.Split(' ')[2];

    private static string LineAfter(string text, string header)
    {
        var lines = text.Split('\n');
        var index = Array.FindIndex(lines, l => l.Trim() == header);
        Assert.That(index, Is.GreaterThanOrEqualTo(0), $"'{header}' not found in:\n{text}");
        return lines[index + 1].Trim();
    }
}
