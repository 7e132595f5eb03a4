using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Tests.Sqlite;

public sealed class SqliteTimeTests
{
    [Test]
    public void Every_tick_survives_the_text_round_trip()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 10_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            var time = new DateTimeOffset(ticks, TimeSpan.Zero);
            Assert.That(SqliteTime.FromText(SqliteTime.ToText(time)), Is.EqualTo(time), SqliteTime.ToText(time));
        }
    }

    [Test]
    public void Text_that_is_not_the_stored_layout_is_refused()
    {
        Assert.Throws<FormatException>(() => SqliteTime.FromText("2026-02-30T10:00:00.0000000Z"), "no 30 February");
        Assert.Throws<FormatException>(() => SqliteTime.FromText("2026-11-22T24:00:00.0000000Z"));
        Assert.Throws<FormatException>(() => SqliteTime.FromText("2026-11-22 10:00:00"));
        Assert.Throws<FormatException>(() => SqliteTime.FromText("2026-11-22T10:00:0x.0000000Z"));
    }
}
