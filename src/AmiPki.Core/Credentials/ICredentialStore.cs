namespace AmiPki.Core.Credentials;

/// <summary>Enrollment credentials (see <see cref="EnrollmentCredential"/>).</summary>
public interface ICredentialStore
{
    Task AddAsync(EnrollmentCredential credential, CancellationToken cancellationToken);

    Task<EnrollmentCredential?> FindAsync(string kind, string name, CancellationToken cancellationToken);

    /// <summary>Marks a one-time credential used; false if it was already used (atomic: two racing uses, one wins).</summary>
    Task<bool> TryConsumeAsync(string kind, string name, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<EnrollmentCredential>> ListAsync(string? kind, CancellationToken cancellationToken);

    /// <summary>Deletes a credential (durable when the task completes); false if there was none. Certificates it enrolled stay.</summary>
    Task<bool> DeleteAsync(string kind, string name, CancellationToken cancellationToken);
}
