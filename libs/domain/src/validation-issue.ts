/**
 * One problem found in a request body, as the contract's problem details list it:
 * `field` is a path such as `charges[0].properties.tiers[1].up_to`.
 */
export interface ValidationIssue {
  field: string;
  message: string;
}
