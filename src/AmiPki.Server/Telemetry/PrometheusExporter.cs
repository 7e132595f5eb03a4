using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using AmiPki.Core.Telemetry;

namespace AmiPki.Server.Telemetry;

/// <summary>
/// Listens to the <see cref="AmiPkiMetrics"/> meter and renders what it recorded in the Prometheus text exposition
/// format 0.0.4: counters as <c>name_total</c>, histograms as cumulative <c>_bucket{le=…}</c>, <c>_sum</c>, <c>_count</c>,
/// a unit of <c>s</c> as the suffix <c>_seconds</c>. Aggregation is cumulative since start, as Prometheus expects.
/// Series appear once recorded (a counter never incremented has HELP and TYPE but no sample).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AmiPkiMetrics.MeterName)
            {
                _instruments[instrument] = new InstrumentState(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The whole exposition, instruments sorted by name, series by label set.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var state in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            state.WriteTo(text);
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var state))
        {
            state.Record(value, tags);
        }
    }

    /// <summary><c>amipki.issuance.duration</c> with unit s → <c>amipki_issuance_duration_seconds</c>.</summary>
    internal static string MetricName(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 8);
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }
        if (instrument.Unit == "s")
        {
            name.Append("_seconds");
        }
        return name.ToString();
    }

    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>The series of one instrument, keyed by their rendered label set.</summary>
    private sealed class InstrumentState
    {
        private readonly Instrument _instrument;
        private readonly double[]? _bounds;
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        public InstrumentState(Instrument instrument)
        {
            _instrument = instrument;
            Name = MetricName(instrument);
            Type = instrument switch
            {
                Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => "counter",
                Histogram<double> or Histogram<long> or Histogram<int> => "histogram",
                _ => "gauge",
            };
            if (Type == "histogram")
            {
                _bounds = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray()
                          ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
            }
        }

        public string Name { get; }

        private string Type { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var series = _series.GetOrAdd(labels, static (_, bounds) => new Series(bounds?.Length ?? 0), _bounds);
            lock (series)
            {
                if (_bounds is null)
                {
                    series.Value = Type == "counter" ? series.Value + value : value;
                    return;
                }
                var bucket = 0;
                while (bucket < _bounds.Length && value > _bounds[bucket])
                {
                    bucket++;
                }
                series.Buckets[bucket]++;
                series.Sum += value;
                series.Count++;
            }
        }

        public void WriteTo(StringBuilder text)
        {
            var name = Type == "counter" ? Name + "_total" : Name;
            text.Append("# HELP ").Append(name).Append(' ').Append((_instrument.Description ?? Name).Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(Type).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (_bounds is null)
                    {
                        Sample(text, name, labels, null, series.Value);
                        continue;
                    }
                    long cumulative = 0;
                    for (var i = 0; i <= _bounds.Length; i++)
                    {
                        cumulative += series.Buckets[i];
                        Sample(text, Name + "_bucket", labels, i < _bounds.Length ? Number(_bounds[i]) : "+Inf", cumulative);
                    }
                    Sample(text, Name + "_sum", labels, null, series.Sum);
                    Sample(text, Name + "_count", labels, null, series.Count);
                }
            }
        }

        private static void Sample(StringBuilder text, string name, string labels, string? le, double value)
        {
            text.Append(name);
            if (labels.Length > 0 || le is not null)
            {
                text.Append('{').Append(labels);
                if (le is not null)
                {
                    text.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
                }
                text.Append('}');
            }
            text.Append(' ').Append(Number(value)).Append('\n');
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }
            var pairs = new List<(string Key, string Value)>(tags.Length);
            foreach (var tag in tags)
            {
                pairs.Add((tag.Key, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
            }
            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return string.Join(",", pairs.Select(p => $"{p.Key}=\"{Escape(p.Value)}\""));
        }
    }

    private sealed class Series(int bucketCount)
    {
        public double Value;
        public double Sum;
        public long Count;
        public readonly long[] Buckets = new long[bucketCount + 1];
    }
}
