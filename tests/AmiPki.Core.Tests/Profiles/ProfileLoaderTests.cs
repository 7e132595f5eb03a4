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
          "authorization": [
            { "protocols": ["est-coaps"], "requester": "factoryCertificate", "deviceKinds": ["meter"], "subject": "systemTitle" }
          ]
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
    [TestCase("\"protocols\": [\"est-coaps\"]", "\"protocols\": [\"ftp\"]", "authorization[0].protocols[0]", "unknown protocol 'ftp'")]
    [TestCase("\"deviceKinds\": [\"meter\"]", "\"deviceKinds\": [\"toaster\"]", "authorization[0].deviceKinds[0]", "unknown device kind 'toaster'")]
    [TestCase("\"requester\": \"factoryCertificate\"", "\"requester\": \"anyone\"", "authorization[0].requester", "")]
    [TestCase("\"requester\": \"factoryCertificate\", \"deviceKinds\": [\"meter\"],", "\"requester\": \"credential\",", "authorization[0].subject", "cannot be proven")]
    [TestCase("\"subject\": \"systemTitle\" }", "\"subject\": \"systemTitle\", \"registeredDevice\": false }", "authorization[0].registeredDevice", "registered device")]
    [TestCase("\"requester\": \"factoryCertificate\", \"deviceKinds\": [\"meter\"], \"subject\": \"systemTitle\"", "\"requester\": \"administrator\"", "authorization[0].protocols", "cli and admin-api")]
    [TestCase("\"protocols\": [\"est-coaps\"]", "\"protocols\": [\"internal\"]", "authorization[0].protocols", "AmiPki itself")]
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
    public void A_profile_without_authorization_rules_is_refused_naming_the_field()
    {
        var start = Valid.IndexOf("\"authorization\"", StringComparison.Ordinal);
        var withoutRules = Valid[..start].TrimEnd().TrimEnd(',') + "\n}";
        var missing = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Parse(withoutRules, "profiles/meter-test.json"));
        Assert.That(missing!.Field, Does.Contain("authorization"), missing.Message);

        var empty = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Parse(withoutRules[..^1] + ", \"authorization\": []\n}", "profiles/meter-test.json"));
        Assert.That(empty!.Field, Is.EqualTo("authorization"), empty.Message);
        Assert.That(empty.Reason, Does.Contain("default deny"));
    }

    [Test]
    public void A_profile_in_the_old_protocols_form_is_refused_rather_than_read_as_allow()
    {
        var old = Valid.Replace("\"keyUsage\": [\"digitalSignature\"],", "\"keyUsage\": [\"digitalSignature\"], \"protocols\": [\"est\"],", StringComparison.Ordinal);
        var error = Assert.Throws<ProfileLoadException>(() => ProfileLoader.Parse(old, "profiles/meter-test.json"));
        Assert.That(error!.Field, Does.Contain("protocols"), error.Message);
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
