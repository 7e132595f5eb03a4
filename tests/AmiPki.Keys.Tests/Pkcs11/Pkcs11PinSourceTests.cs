using System.Text;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

// PIN files are guarded by Unix permissions; these tests run where SoftHSM2 does.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Pkcs11PinSourceTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("amipki-pin-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Reads_the_PIN_from_an_environment_variable()
    {
        Environment.SetEnvironmentVariable("AMIPKI_TEST_PIN_SOURCE", "1234");
        var source = Pkcs11PinSource.Parse("env:AMIPKI_TEST_PIN_SOURCE");

        Assert.That(Encoding.UTF8.GetString(source.Read()), Is.EqualTo("1234"));
        Assert.That(source.ToString(), Is.EqualTo("environment variable AMIPKI_TEST_PIN_SOURCE"));
        Assert.That(source.ToConfigurationString(), Is.EqualTo("env:AMIPKI_TEST_PIN_SOURCE"));
    }

    [TestCase("s3cret\n")]
    [TestCase("s3cret\r\n")]
    [TestCase("s3cret")]
    [TestCase("s3cret\nsecond line ignored\n")]
    public void Reads_the_first_line_of_a_private_file(string content)
    {
        var path = WritePinFile(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.That(Encoding.UTF8.GetString(Pkcs11PinSource.Parse("file:" + path).Read()), Is.EqualTo("s3cret"));
    }

    [Test]
    public void Refuses_a_PIN_file_other_users_can_read()
    {
        var path = WritePinFile("1234\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<KeyProviderException>(() => Pkcs11PinSource.FromFile(path).Read());
        Assert.That(error!.Message, Does.Contain(path).And.Contain("chmod 600"));
    }

    [Test]
    public void Missing_file_and_unset_variable_are_named_without_a_PIN()
    {
        var missing = Path.Combine(_directory, "absent");
        Assert.That(Assert.Throws<KeyProviderException>(() => Pkcs11PinSource.FromFile(missing).Read())!.Message, Does.Contain(missing));
        Assert.That(
            Assert.Throws<KeyProviderException>(() => Pkcs11PinSource.FromEnvironment("AMIPKI_TEST_PIN_UNSET").Read())!.Message,
            Does.Contain("AMIPKI_TEST_PIN_UNSET is not set"));
    }

    [TestCase("1234")]
    [TestCase("pin:1234")]
    [TestCase("env:")]
    [TestCase("")]
    public void A_literal_PIN_is_refused_and_not_echoed(string text)
    {
        var error = Assert.Throws<FormatException>(() => Pkcs11PinSource.Parse(text));

        Assert.That(error!.Message, Is.EqualTo("a PKCS#11 PIN source must be 'env:VARIABLE' or 'file:PATH'"));
    }

    private string WritePinFile(string content, UnixFileMode mode)
    {
        var path = Path.Combine(_directory, "pin");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
