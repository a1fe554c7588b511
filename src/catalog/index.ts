/** The catalog room's front door: what other rooms may call. */
export {
  allProducts,
  getProduct,
  newestProducts,
  PRODUCT_COLUMNS,
  type Product,
  ProductInput,
  topCategories,
  upsertProducts,
} from './catalog.js';
