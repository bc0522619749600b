import { describeSetupFlow } from './testing/setup-flow';

describeSetupFlow('kafka', 'sk_test_catalog_key_0001');
