import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-BBLACUZY.js";import"./chunk-VI64G52G.js";import"./chunk-26XETVD4.js";import"./chunk-SHF7COC6.js";import"./chunk-EASUZBX5.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
