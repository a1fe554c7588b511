/** The brands room's front door: what other rooms may call. */
export {
  type Brand,
  brandBySecretKey,
  brandBySlug,
  brandSlugs,
  brandByWriteKey,
  createBrand,
  listBrands,
  type NewBrandKeys,
  paymentMethodsOf,
  setPaymentMethods,
  rotateSecretKey,
  serverSetting,
  setServerSetting,
  setWebhook,
} from './brands.js';
