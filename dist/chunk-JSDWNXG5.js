import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-E53TKE7V.js";import"./chunk-HX52AMIN.js";import"./chunk-7OZIT6TU.js";import"./chunk-ZOTLJNIM.js";import"./chunk-EASUZBX5.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
