import { describeNotificationsEndToEnd } from '@abaxus/testing/notifications/notifications-end-to-end';

describeNotificationsEndToEnd('kafka');
