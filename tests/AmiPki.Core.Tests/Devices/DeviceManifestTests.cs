using AmiPki.Core.Devices;
using AmiPki.Core.Validation;

namespace AmiPki.Core.Tests.Devices;

public sealed class DeviceManifestTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<DeviceRecord> Parse(string text) => DeviceManifest.Parse(new StringReader(text), "upload", T0);

    [Test]
    public void Lines_become_devices_with_normalised_fields()
    {
        var devices = Parse("\uFEFFsystem_title, idevid_sha256, idevid_serial, manufacturer, lot, dcu\n"
                            + "# a comment\n"
                            + "4d4d4d0000bc614e," + new string('a', 64) + ",SN-1,acme,LOT-7,DCU-1\n"
                            + "\n"
                            + "4D4D4D0000BC614F,,,acme,,\n");

        Assert.That(devices, Has.Count.EqualTo(2));
        Assert.That(devices[0], Is.EqualTo(new DeviceRecord("4D4D4D0000BC614E", new string('A', 64), "SN-1", "acme", "LOT-7", "DCU-1", T0)));
        Assert.That(devices[1], Is.EqualTo(new DeviceRecord("4D4D4D0000BC614F", null, null, "acme", null, null, T0)));
    }

    [Test]
    public void The_kind_column_is_read_trimmed_and_lower_cased()
    {
        var devices = Parse(DeviceManifest.Header + "\n"
                            + "4D4D4D0000BC614E,,SN-1,acme,LOT-7,DCU-1,meter\n"
                            + "4D4D4D0000BC614F,,,acme,,, DCU \n"
                            + "4D4D4D0000BC6150,,,acme,,,Network-Device\n");

        Assert.That(devices.Select(d => d.Kind), Is.EqualTo(new[] { DeviceKinds.Meter, DeviceKinds.Dcu, DeviceKinds.NetworkDevice }));
        Assert.That(devices[0], Is.EqualTo(new DeviceRecord("4D4D4D0000BC614E", null, "SN-1", "acme", "LOT-7", "DCU-1", T0, DeviceKinds.Meter)));
    }

    [Test]
    public void A_legacy_manifest_without_kind_lists_meters()
    {
        var devices = Parse(DeviceManifest.LegacyHeader + "\n4D4D4D0000BC614E,,,acme,,\n");

        Assert.That(devices.Single().Kind, Is.EqualTo(DeviceKinds.Meter));
    }

    [Test]
    public void Every_kind_is_lower_case_and_the_record_defaults_to_meter()
    {
        Assert.That(DeviceKinds.All, Is.EquivalentTo(new[] { "meter", "dcu", "hes", "gateway", "network-device" }));
        Assert.That(new DeviceRecord("4D4D4D0000BC614E", null, null, "acme", null, null, T0).Kind, Is.EqualTo(DeviceKinds.Meter));
    }

    [Test]
    public void An_unknown_kind_is_refused_naming_the_line_and_the_valid_kinds()
    {
        var refusal = Assert.Throws<InvalidInputException>(() => Parse(DeviceManifest.Header + "\n"
                                                                          + "4D4D4D0000BC614E,,,acme,,,meter\n"
                                                                          + "4D4D4D0000BC614F,,,acme,,,toaster\n"));

        Assert.That(refusal!.Field, Is.EqualTo("line 3"));
        Assert.That(refusal.Message, Does.StartWith("upload:3").And.Contain("toaster"));
        foreach (var kind in DeviceKinds.All)
        {
            Assert.That(refusal.Message, Does.Contain(kind));
        }
    }

    [TestCase("system_title,manufacturer\n", "line 1", "header")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind,extra\n", "line 1", "header")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind\n4D4D4D0000BC614E,,,acme,,\n", "line 2", "expected 7 fields, found 6")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4D4D4D0000BC614E,,,acme,,,meter\n", "line 2", "expected 6 fields, found 7")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind\n4D4D4D0000BC614E,,,acme,,,\n", "line 2", "not a device kind")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4D4D4D0000BC614E,,,acme,\n", "line 2", "6 fields")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4D4D4D0000BC614E,,,acme,,\nXYZ,,,acme,,\n", "line 3", "system title")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4D4D4D0000BC614E,,,acme,,\n4d4d4d0000bc614e,,,acme,,\n", "line 3", "twice")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4D4D4D0000BC614E,ABCD,,acme,,\n", "line 2", "64 hex digits")]
    [TestCase("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4D4D4D0000BC614E,,, ,,\n", "line 2", "manufacturer")]
    [TestCase("", "upload", "empty")]
    public void A_bad_manifest_is_refused_naming_the_line(string text, string field, string reason)
    {
        var refusal = Assert.Throws<InvalidInputException>(() => Parse(text));
        Assert.That(refusal!.Field, Is.EqualTo(field));
        Assert.That(refusal.Message, Does.Contain(reason).And.StartWith("upload"));
    }
}
