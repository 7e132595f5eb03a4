using AmiPki.Core.Approvals;

namespace AmiPki.Storage;

/// <summary>A manual-approval queue whose connection(s) the caller owns and closes.</summary>
public interface IOwnedPendingRequestStore : IPendingRequestStore, IAsyncDisposable
{
}
