import { describeSetupFlow } from './testing/setup-flow';

describeSetupFlow('embedded');
