namespace AmiPki.Core.Validation;

/// <summary>
/// Input an admin gave (a command-line option, an API field, a line of an uploaded file) that cannot be used, with the
/// name of what was wrong, so the CLI prints it and the admin API answers a problem-details 400 naming the field.
/// </summary>
public sealed class InvalidInputException : ArgumentException
{
    public InvalidInputException(string field, string reason)
        : base(reason)
    {
        Field = field;
    }

    /// <summary>The field (API, camelCase), option or <c>line N</c> the reason refers to.</summary>
    public string Field { get; }
}
