namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// What an HTTP cache is told about a cacheable OCSP answer (RFC 5019 §6.2), never longer than the answer stays true.
/// A good answer (or unknown, certificateHold, several certificates) can turn wrong the moment a revocation is committed,
/// so caches may keep it at most <see cref="OcspResponderOptions.HttpMaxAgeSeconds"/> whatever its nextUpdate; a revoked
/// answer for a final reason cannot become good again and may be kept until its nextUpdate.
/// </summary>
public readonly record struct OcspHttpCaching(long MaxAgeSeconds, DateTimeOffset Expires)
{
    /// <summary>The <c>Cache-Control</c> value.</summary>
    public string CacheControl => $"max-age={MaxAgeSeconds}, public, no-transform, must-revalidate";

    public static OcspHttpCaching For(OcspReply reply, DateTimeOffset now, int httpMaxAgeSeconds)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var untilNextUpdate = Math.Max(0, (long)Math.Floor((reply.NextUpdate - now).TotalSeconds));
        if (reply.IsFinal)
        {
            return new OcspHttpCaching(untilNextUpdate, reply.NextUpdate);
        }
        var maxAge = Math.Min(Math.Max(0, httpMaxAgeSeconds), untilNextUpdate);
        // HTTP dates have whole seconds: round now down so Expires never lies beyond now + max-age.
        var second = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return new OcspHttpCaching(maxAge, second.AddSeconds(maxAge));
    }
}
