/**
 * The shapes of the AWS identifiers the product accepts from people and configuration (CLI flags,
 * runbook input, Lambda environment, saved plans). One pattern per identifier, so every entry point
 * refuses the same values with the same words.
 */

/**
 * A Region code: `<area>-<direction>-<n>`, with the partition's infix where it has one
 * (`us-gov-west-1`, `us-iso-east-1`, `us-isob-east-1`, `eu-isoe-west-1`, `us-isof-south-1`) and the
 * European Sovereign Cloud's `eusc-de-east-1`; China's Regions are `cn-north-1` and `cn-northwest-1`.
 * Region codes as listed in "AWS Regions"
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
 */
export const REGION_PATTERN = /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?|eusc-de)-[a-z]+-\d{1,2}$/;
export const REGION_HINT = 'a Region code such as us-east-1, cn-north-1 or us-gov-west-1';

/**
 * A VPC id: `vpc-` and 8 or 17 lowercase hexadecimal characters (8 for VPCs made before the longer
 * ids, 17 since): "Resource IDs", Amazon EC2 User Guide
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html).
 */
export const VPC_ID_PATTERN = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const VPC_ID_HINT = 'a VPC id such as vpc-0123456789abcdef0 (vpc- and 8 or 17 hex digits)';

/**
 * An AWS account id: exactly 12 digits, leading zeros included: "View AWS account identifiers"
 * (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html).
 */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const ACCOUNT_ID_HINT = 'a 12-digit AWS account id';

/**
 * An IAM role ARN, `arn:<partition>:iam::<account>:role/<path/><name>`: "IAM identifiers", IAM ARNs,
 * IAM User Guide (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
 * IAM is global: no Region.
 */
export const IAM_ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
export const IAM_ROLE_ARN_HINT = 'an IAM role ARN such as arn:aws:iam::123456789012:role/name';

/**
 * A Step Functions state machine ARN, `arn:<partition>:states:<region>:<account>:stateMachine:<name>`
 * ("Resource types defined by AWS Step Functions", Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html); the
 * name is 1-80 characters without white space, brackets, wildcards or the special characters
 * CreateStateMachine refuses
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html).
 */
export const STATE_MACHINE_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:states:[a-z0-9-]+:\d{12}:stateMachine:[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;
export const STATE_MACHINE_ARN_HINT =
  'a state machine ARN such as arn:aws:states:us-east-1:123456789012:stateMachine:name';

export const isRegion = (value: string): boolean => REGION_PATTERN.test(value);
export const isVpcId = (value: string): boolean => VPC_ID_PATTERN.test(value);
export const isAccountId = (value: string): boolean => ACCOUNT_ID_PATTERN.test(value);
