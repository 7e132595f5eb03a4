using AmiPki.Core.Audit;

namespace AmiPki.Core.Tests.Audit;

public sealed class AuditFilterTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static AuditEvent Event(string detail, string kind = "issuance", string actor = "cli:operator", string outcome = "success") =>
        new(At, kind, actor, outcome, detail);

    [TestCase("0A1B2C", true)]
    [TestCase("0a1b2c", true)]
    [TestCase("a1b2c", true)]
    [TestCase("0x0A1B2C", true)]
    [TestCase("0A:1B:2C", true)]
    [TestCase("0A1B2", false)]
    [TestCase("0A1B2C3D", false)]
    public void A_serial_matches_case_insensitively_and_only_the_whole_word(string wanted, bool matches)
    {
        var filter = new AuditFilter(Serial: wanted);
        Assert.That(filter.Matches(Event("issuer=issuing-s1 serial=0A1B2C profile=hes-client")), Is.EqualTo(matches));
    }

    [Test]
    public void A_serial_is_not_found_in_other_words_of_the_detail()
    {
        Assert.That(AuditFilter.NamesSerial("subject=CN=0A1B2C parent=0A1B2C", "0A1B2C"), Is.False);
        Assert.That(AuditFilter.NamesSerial("serial=0A1B2C", "0A1B2C"), Is.True);
    }

    [TestCase("0A1B2C", true)]
    [TestCase("0x0a", true)]
    [TestCase("0A:1B", true)]
    [TestCase("", false)]
    [TestCase("0x", false)]
    [TestCase("not-hex", false)]
    public void Hex_serials_are_recognised(string serial, bool valid) => Assert.That(AuditFilter.IsHexSerial(serial), Is.EqualTo(valid));

    [Test]
    public void Kind_and_outcome_are_exact_actor_a_substring_and_times_inclusive()
    {
        var e = Event("serial=01", kind: "revocation", actor: "admin-api:CN=Alice/issuer/01", outcome: "refused");
        Assert.Multiple(() =>
        {
            Assert.That(new AuditFilter().Matches(e), Is.True);
            Assert.That(new AuditFilter(Kind: "revocation").Matches(e), Is.True);
            Assert.That(new AuditFilter(Kind: "revoc").Matches(e), Is.False);
            Assert.That(new AuditFilter(Outcome: "refused").Matches(e), Is.True);
            Assert.That(new AuditFilter(Outcome: "Refused").Matches(e), Is.False);
            Assert.That(new AuditFilter(Actor: "alice").Matches(e), Is.True);
            Assert.That(new AuditFilter(Actor: "bob").Matches(e), Is.False);
            Assert.That(new AuditFilter(Since: At, Until: At).Matches(e), Is.True);
            Assert.That(new AuditFilter(Since: At.AddTicks(1)).Matches(e), Is.False);
            Assert.That(new AuditFilter(Until: At.AddTicks(-1)).Matches(e), Is.False);
        });
    }
}
