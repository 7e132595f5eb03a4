namespace AmiPki.Server.Api;

/// <summary>Roles, the certificate profiles that carry them, and what each may do.</summary>
public static class AdminRoles
{
    /// <summary>Admin certificate profiles are named <c>admin-</c> followed by the role.</summary>
    public const string ProfilePrefix = "admin-";

    public static string NameOf(AdminRole role) => role.ToString().ToLowerInvariant();

    public static string ProfileOf(AdminRole role) => ProfilePrefix + NameOf(role);

    /// <summary>The role a certificate issued under <paramref name="profile"/> carries; null for any other profile.</summary>
    public static AdminRole? FromProfile(string profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        foreach (var role in Enum.GetValues<AdminRole>())
        {
            if (string.Equals(profile, ProfileOf(role), StringComparison.Ordinal))
            {
                return role;
            }
        }
        return null;
    }

    public static bool Allows(AdminRole role, AdminPermission permission) => permission switch
    {
        AdminPermission.Read => true,
        AdminPermission.Operate => role is AdminRole.Operator or AdminRole.Administrator,
        AdminPermission.Administer => role is AdminRole.Administrator,
        _ => false,
    };

    /// <summary>The least role holding <paramref name="permission"/>, for refusals and the OpenAPI description.</summary>
    public static AdminRole LeastFor(AdminPermission permission) => permission switch
    {
        AdminPermission.Read => AdminRole.Auditor,
        AdminPermission.Operate => AdminRole.Operator,
        _ => AdminRole.Administrator,
    };
}
