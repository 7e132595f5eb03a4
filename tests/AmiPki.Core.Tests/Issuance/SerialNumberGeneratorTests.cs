using AmiPki.Core.Issuance;

namespace AmiPki.Core.Tests.Issuance;

public sealed class SerialNumberGeneratorTests
{
    [Test]
    public void Hundred_thousand_serials_are_positive_minimal_16_octets_and_distinct()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 100_000; i++)
        {
            var serial = SerialNumberGenerator.Next();
            Assert.That(serial, Has.Length.EqualTo(16));
            Assert.That(serial[0] & 0x80, Is.Zero, "positive: the top bit is clear");
            Assert.That(serial[0], Is.Not.Zero, "minimal DER: no leading zero octet");
            Assert.That(seen.Add(Convert.ToHexString(serial)), Is.True, $"duplicate serial after {i} draws");
        }
    }
}
