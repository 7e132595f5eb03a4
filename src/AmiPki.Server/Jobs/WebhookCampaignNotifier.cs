using System.Net.Http.Headers;
using System.Text.Json;
using AmiPki.Core.Campaigns;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Tells the head-end a certificate's renewal is due: HTTP POST of a JSON object to <see cref="CampaignOptions.WebhookUrl"/>.
/// Any 2xx is acceptance; anything else (a status, a timeout, a refused connection) is a failure the campaign engine
/// retries with exponential back-off.
/// </summary>
public sealed class WebhookCampaignNotifier : ICampaignNotifier, IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private readonly HttpClient _client;
    private readonly Uri? _url;

    public WebhookCampaignNotifier(CampaignOptions options, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
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
        using var content = new ByteArrayContent(Serialize(entry));
        content.Headers.ContentType = Json;
        try
        {
            using var response = await _client.PostAsync(url, content, cancellationToken);
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
