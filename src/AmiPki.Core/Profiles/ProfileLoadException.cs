namespace AmiPki.Core.Profiles;

/// <summary>A profile file is invalid: names the file, the field and the reason. Start-up stops on it.</summary>
public sealed class ProfileLoadException : Exception
{
    public ProfileLoadException(string file, string field, string reason)
        : base($"invalid profile {file}: field '{field}': {reason}")
    {
        File = file;
        Field = field;
        Reason = reason;
    }

    public string File { get; }

    public string Field { get; }

    public string Reason { get; }
}
