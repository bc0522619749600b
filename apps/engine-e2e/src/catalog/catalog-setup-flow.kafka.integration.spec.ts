import { describeSetupFlow } from '@abaxus/testing/catalog/setup-flow';

describeSetupFlow('kafka', 'sk_test_catalog_key_0001');
