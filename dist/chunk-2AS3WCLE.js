import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{a}from"./chunk-KPYC76UM.js";import"./chunk-EASUZBX5.js";export default a();
