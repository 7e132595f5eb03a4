using AmiPki.Coap.Server;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Server;

[TestFixture]
public sealed class LinkFormatTests
{
    private static readonly KeyValuePair<string, CoapResourceDescription>[] Resources =
    [
        KeyValuePair.Create("/est/crts", new CoapResourceDescription { ResourceTypes = ["ace.est.crts"], ContentFormats = [281, 287] }),
        KeyValuePair.Create("/est/sen", new CoapResourceDescription { ResourceTypes = ["ace.est.sen"], ContentFormats = [281] }),
        KeyValuePair.Create("/sensors/temp", new CoapResourceDescription { ResourceTypes = ["temperature-c"], Interfaces = ["sensor"], Title = "Temp" }),
        KeyValuePair.Create("/hidden", new CoapResourceDescription { ResourceTypes = ["ace.est.hidden"], Hidden = true }),
    ];

    [Test]
    public void Lists_every_visible_resource_with_its_attributes() =>
        Assert.That(LinkFormat.Build(Resources, []), Is.EqualTo(
            "</est/crts>;rt=\"ace.est.crts\";ct=\"281 287\",</est/sen>;rt=\"ace.est.sen\";ct=281," +
            "</sensors/temp>;rt=\"temperature-c\";if=\"sensor\";title=\"Temp\""));

    [TestCase("rt=ace.est*", "</est/crts>;rt=\"ace.est.crts\";ct=\"281 287\",</est/sen>;rt=\"ace.est.sen\";ct=281")]
    [TestCase("rt=ace.est.sen", "</est/sen>;rt=\"ace.est.sen\";ct=281")]
    [TestCase("rt=ace.est", "")]
    [TestCase("rt=*", "</est/crts>;rt=\"ace.est.crts\";ct=\"281 287\",</est/sen>;rt=\"ace.est.sen\";ct=281,</sensors/temp>;rt=\"temperature-c\";if=\"sensor\";title=\"Temp\"")]
    [TestCase("href=/sensors*", "</sensors/temp>;rt=\"temperature-c\";if=\"sensor\";title=\"Temp\"")]
    [TestCase("ct=287", "</est/crts>;rt=\"ace.est.crts\";ct=\"281 287\"")]
    [TestCase("if=sensor", "</sensors/temp>;rt=\"temperature-c\";if=\"sensor\";title=\"Temp\"")]
    [TestCase("unknown=x", "")]
    public void Filters_by_query_with_trailing_star_prefix_match(string query, string expected) =>
        Assert.That(LinkFormat.Build(Resources, [query]), Is.EqualTo(expected));
}
