import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{a as r,b as i}from"./chunk-EASUZBX5.js";var o=i((p,e)=>{e.exports=r("node:async_hooks")});export default o();
