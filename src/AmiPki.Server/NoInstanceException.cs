namespace AmiPki.Server;

/// <summary>
/// The data directory (or the configured PostgreSQL database) holds no AmiPki instance: no database with CA records, as
/// when <c>--data</c> is mistyped. Nothing was created; the message names the directory and says to run <c>amipki init</c>.
/// </summary>
public sealed class NoInstanceException(string message) : InvalidOperationException(message);
