/**
 * The SNS topic of an object type: `<topicPrefix>-<objectType>`. One home for the rule, used by the
 * publisher and by the worker runtime's provisioning.
 */
export function topicName(topicPrefix: string, objectType: string): string {
  return `${topicPrefix}-${objectType}`;
}
