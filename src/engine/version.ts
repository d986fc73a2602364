import packageJson from '../../package.json';

export const PROXY_VERSION: string = packageJson.version;
