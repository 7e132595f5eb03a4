namespace AmiPki.Core.Storage;

/// <summary>
/// Storage could not be reached (database server down or restarting, connection cut, database file locked or unreadable):
/// a temporary condition that says nothing about the request. Thrown by the storage layer in place of its driver's
/// connection errors (never for a constraint violation or a bad statement), so every protocol adapter recognises one type
/// and answers "try later" (EST 503 + Retry-After, OCSP tryLater, CMP systemUnavail, CoAP 5.03 + Max-Age).
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>What adapters tell clients to wait before retrying, in seconds.</summary>
    public const int DefaultRetryAfterSeconds = 10;

    public StorageUnavailableException()
        : this("storage is unavailable")
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Seconds a client should wait before retrying.</summary>
    public int RetryAfterSeconds => DefaultRetryAfterSeconds;

    /// <summary>
    /// The storage outage behind <paramref name="exception"/>, if any: the exception itself or one it wraps (a core service
    /// may wrap what storage threw), including inside an <see cref="AggregateException"/>.
    /// </summary>
    public static StorageUnavailableException? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 16; depth++)
        {
            switch (exception)
            {
                case StorageUnavailableException outage:
                    return outage;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        if (Find(inner) is { } found)
                        {
                            return found;
                        }
                    }
                    return null;
                default:
                    exception = exception.InnerException;
                    break;
            }
        }
        return null;
    }
}
