using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AmiPki.Core.Campaigns;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Tells the head-end a certificate's renewal is due: HTTP POST of a JSON object to <see cref="CampaignOptions.WebhookUrl"/>.
/// Any 2xx is acceptance; anything else (a status, a timeout, a refused connection) is a failure the campaign engine
/// retries with exponential back-off. With <see cref="CampaignOptions.WebhookSecret"/> every call carries
/// <see cref="SignatureHeader"/> (see <see cref="Sign"/>).
/// </summary>
public sealed class WebhookCampaignNotifier : ICampaignNotifier, IDisposable
{
    /// <summary>The header that carries the call's time and HMAC (when a secret is configured).</summary>
    public const string SignatureHeader = "X-AmiPki-Signature";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private readonly HttpClient _client;
    private readonly Uri? _url;
    private readonly byte[]? _secret;
    private readonly TimeProvider _time;

    public WebhookCampaignNotifier(CampaignOptions options, TimeSpan? timeout = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        if (!string.IsNullOrEmpty(options.WebhookSecret))
        {
            _secret = Encoding.UTF8.GetBytes(options.WebhookSecret);
        }
        if (!string.IsNullOrWhiteSpace(options.WebhookUrl))
        {
            if (!Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"AmiPki:Campaigns:WebhookUrl '{options.WebhookUrl}' is not an absolute http or https URL");
            }
            _url = url;
        }
        _client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
    }

    public bool IsConfigured => _url is not null;

    public async Task NotifyAsync(CampaignEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var url = _url ?? throw new CampaignNotificationException("no webhook URL configured");
        var body = Serialize(entry);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        if (_secret is not null)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(_secret, _time.GetUtcNow().ToUnixTimeSeconds(), body));
        }
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new CampaignNotificationException($"the webhook answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (HttpRequestException e)
        {
            throw new CampaignNotificationException($"the webhook could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CampaignNotificationException($"the webhook did not answer within {_client.Timeout.TotalSeconds:0} s", e);
        }
    }

    /// <summary>
    /// The signature header's value for <paramref name="body"/> sent at <paramref name="unixSeconds"/>:
    /// <c>t=&lt;unixSeconds&gt;,v1=&lt;lower-case hex HMAC-SHA256(secret, "&lt;unixSeconds&gt;." + body)&gt;</c>. The time is inside
    /// the MAC, so a receiver that refuses old times refuses replays; the receiver recomputes and compares in constant time.
    /// </summary>
    public static string Sign(byte[] secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var time = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[time.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(time, signed);
        signed[time.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(time.Length + 1));
        return $"t={time},v1={Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed))}";
    }

    /// <summary>The notification body: what the head-end needs to trigger the device's re-enrollment.</summary>
    public static byte[] Serialize(CampaignEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", "renewal-due");
            json.WriteString("issuer", entry.Issuer);
            json.WriteString("serial", entry.SerialHex);
            json.WriteString("profile", entry.Profile);
            json.WriteString("subject", entry.Subject);
            if (entry.SystemTitle is not null)
            {
                json.WriteString("systemTitle", entry.SystemTitle);
            }
            json.WriteString("dcu", entry.Dcu);
            json.WriteString("notAfter", entry.NotAfter);
            json.WriteString("scheduledAt", entry.ScheduledAt);
            json.WriteNumber("attempt", entry.Attempts + 1);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public void Dispose() => _client.Dispose();
}
