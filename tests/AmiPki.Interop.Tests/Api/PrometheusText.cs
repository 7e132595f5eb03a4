using System.Globalization;
using System.Text.RegularExpressions;

namespace AmiPki.Interop.Tests.Api;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4: every line must be a HELP, a TYPE (before the
/// family's samples, once) or a sample with well-formed labels and a float value; histogram buckets must be cumulative
/// and end in +Inf equal to _count. A bad line fails the test naming it.
/// </summary>
public static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var comment = Comment().Match(line);
                if (comment.Success && comment.Groups["kind"].Value == "TYPE")
                {
                    var family = comment.Groups["name"].Value;
                    Assert.That(TypeName().IsMatch(comment.Groups["rest"].Value), $"line {number}: unknown metric type: {line}");
                    Assert.That(types.TryAdd(family, comment.Groups["rest"].Value), $"line {number}: second TYPE for {family}");
                    Assert.That(sampled.Contains(family), Is.False, $"line {number}: TYPE of {family} after its samples");
                }
                else
                {
                    Assert.That(line.StartsWith("# HELP ", StringComparison.Ordinal) ? comment.Success : true, $"line {number}: malformed HELP: {line}");
                }
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.That(match.Success, $"line {number}: not a Prometheus sample: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                Assert.That(labels.TryAdd(label.Groups["key"].Value, Unescape(label.Groups["value"].Value)), $"line {number}: label repeated: {line}");
            }
            var name = match.Groups["name"].Value;
            sampled.Add(FamilyOf(name, types));
            samples.Add(new Sample(name, labels, ParseValue(match.Groups["value"].Value)));
        }
        CheckHistograms(samples, types);
        return samples;
    }

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include <paramref name="labels"/>; 0 if none yet.</summary>
    public static double ValueOf(IReadOnlyList<Sample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        Assert.That(matching, Has.Count.LessThanOrEqualTo(1), $"several series of {name} match");
        return matching.Count == 0 ? 0 : matching[0].Value;
    }

    private static void CheckHistograms(List<Sample> samples, Dictionary<string, string> types)
    {
        foreach (var family in types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            foreach (var series in samples.Where(s => s.Name == family + "_bucket")
                         .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").Select(l => $"{l.Key}={l.Value}"))))
            {
                var buckets = series.ToList();
                Assert.That(buckets.All(b => b.Labels.ContainsKey("le")), $"{family}: a bucket without le");
                Assert.That(buckets.Select(b => b.Value), Is.Ordered, $"{family}{{{series.Key}}}: buckets are not cumulative");
                Assert.That(buckets[^1].Labels["le"], Is.EqualTo("+Inf"), $"{family}{{{series.Key}}}: the last bucket must be +Inf");
                var count = samples.Single(s => s.Name == family + "_count"
                                                && string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}")) == series.Key);
                Assert.That(buckets[^1].Value, Is.EqualTo(count.Value), $"{family}{{{series.Key}}}: +Inf bucket differs from _count");
            }
        }
    }

    private static string FamilyOf(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.ContainsKey(name[..^suffix.Length]))
            {
                return name[..^suffix.Length];
            }
        }
        return name;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string value) =>
        value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\\n]|\\[\\""n])*"")(,[a-zA-Z_][a-zA-Z0-9_]*=""([^""\\\n]|\\[\\""n])*"")*,?)?\})? (?<value>[+-]?(Inf|NaN|[0-9.eE+-]+))( -?[0-9]+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>([^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
