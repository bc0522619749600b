import { describeSetupFlow } from '@abaxus/testing/catalog/setup-flow';

describeSetupFlow('embedded');
