using AmiPki.Core.Profiles;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Profiles;

public sealed class ProfileLoaderTests
{
    private const string Valid = """
        {
          "name": "meter-test",
          "issuers": ["issuing-s1"],
          "keyAlgorithms": ["ecP256"],
          "subject": "dlmsSystemTitle",
          "keyUsage": ["digitalSignature"],
          "protocols": ["est-coaps"]
        }
        """;

    [Test]
    public void Every_shipped_profile_loads()
    {
        var profiles = ProfileLoader.LoadDirectory(Path.Combine(TestCa.RepositoryRoot(), "profiles"));
        Assert.That(profiles.All.Select(p => p.Name), Is.SupersetOf(new[]
        {
            "meter-s1-signing", "meter-s1-key-agreement", "meter-s1-tls", "meter-s2-signing", "dcu", "hes-client", "hes-server",
            "ocsp-responder", "amipki-tls-server", "scep-ra",
        }));
    }

    [Test]
    public void A_valid_profile_parses() => Assert.That(ProfileLoader.Parse(Valid, "meter-test.json").Name, Is.EqualTo("meter-test"));

    [TestCase("\"keyUsage\": [\"digitalSignature\"]", "\"keyUsage\": [\"signing\"]", "keyUsage[0]", "unknown key usage 'signing'")]
    [TestCase("\"keyAlgorithms\": [\"ecP256\"]", "\"keyAlgorithms\": [\"ecP256\", \"rsa2048\"]", "keyAlgorithms", "EC keys only")]
    [TestCase("\"keyUsage\": [\"digitalSignature\"]", "\"keyUsage\": [\"keyEncipherment\"]", "keyUsage", "RSA keys only")]
    [TestCase("\"protocols\": [\"est-coaps\"]", "\"protocols\": [\"ftp\"]", "protocols[0]", "unknown protocol 'ftp'")]
    [TestCase("\"name\": \"meter-test\"", "\"name\": \"Meter Test\"", "name", "lower-case")]
    [TestCase("\"subject\": \"dlmsSystemTitle\"", "\"subject\": \"dlms\"", "subject", "")]
    [TestCase("\"issuers\": [\"issuing-s1\"],", "\"issuers\": [\"issuing-s1\"], \"validityDays\": 0,", "validityDays", "")]
    [TestCase("\"issuers\": [\"issuing-s1\"],", "\"issuers\": [\"issuing-s1\"], \"validty\": 5,", "validty", "")]
    [TestCase("\"keyUsage\": [\"digitalSignature\"],", "", "keyUsage", "")]
    [TestCase("\"issuers\": [\"issuing-s1\"],", "\"issuers\": [\"issuing-s1\"], \"validityDays\": 90, \"renewalWindowDays\": 90,", "renewalWindowDays", "shorter than validityDays")]
    [TestCase("\"issuers\": [\"issuing-s1\"],", "\"issuers\": [\"issuing-s1\"], \"renewalWindowDays\": -1,", "renewalWindowDays", "")]
    public void An_invalid_profile_names_file_field_and_reason(string from, string to, string field, string reason)
    {
        var json = Valid.Replace(from, to, StringComparison.Ordinal);
        Assert.That(json, Is.Not.EqualTo(Valid), "the test case must change the profile");
        var error = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Parse(json, "profiles/meter-test.json"));
        Assert.That(error!.File, Is.EqualTo("profiles/meter-test.json"));
        Assert.That(error.Field, Does.Contain(field), error.Message);
        Assert.That(error.Reason, Does.Contain(reason), error.Message);
        Assert.That(error.Message, Does.StartWith("invalid profile profiles/meter-test.json: field '"));
    }

    [Test]
    public void A_profile_naming_an_unknown_CA_is_refused()
    {
        var profiles = new ProfileSet([ProfileLoader.Parse(Valid, "meter-test.json")]);
        var error = Assert.Throws<ProfileLoadException>(() => profiles.EnsureIssuersExist(["root", "issuing-s2"]));
        Assert.That(error!.Field, Is.EqualTo("issuers"));
        Assert.That(error.Reason, Does.Contain("issuing-s1"));
    }
}
