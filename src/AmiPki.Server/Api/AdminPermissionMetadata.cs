namespace AmiPki.Server.Api;

/// <summary>Endpoint metadata: the permission a call needs. An admin API endpoint without it needs <see cref="AdminPermission.Administer"/>.</summary>
public sealed record AdminPermissionMetadata(AdminPermission Permission);
